/** A request to sign with SDK-HMAC-SHA256. */
export interface SignRequest {
  /** The method, e.g. "GET" or "POST"; uppercased (fetch does not uppercase "patch" itself: pass "PATCH"). */
  method: string;
  /**
   * The URL the request goes to, absolute or relative to the page. What the URL parser makes of it is what
   * fetch sends and what is signed. Its host, with a port that is not the scheme's default, is signed as `host`.
   */
  url: string | URL;
  /**
   * Headers to sign and send, all of them (not Authorization or X-Sdk-Date). A signed X-Sdk-Content-Sha256
   * replaces the body's hash: `UNSIGNED-PAYLOAD`, or the body's SHA-256 in hex. A `host` given here is signed
   * instead of the URL's host (Node only; browsers cannot set it).
   */
  headers?: HeadersInit;
  /** The exact body that is sent; it counts for POST, PUT and PATCH only. */
  body?: string | ArrayBuffer | ArrayBufferView | Blob | null;
  /** Date of signing (default: now); the server accepts it for 15 minutes either side of its clock. */
  date?: Date;
}

/** The headers to add to the request. */
export interface SignedHeaders {
  Authorization: string;
  'X-Sdk-Date': string;
}

/**
 * Signs a request with an app's key and secret. Never ship an AppSecret to a public web page: there, let the
 * app's backend mint a short-lived token instead.
 */
export function sign(request: SignRequest & { appKey: string; appSecret: string }): Promise<SignedHeaders>;

/** The canonical request that `sign` signs, for finding out why a signature does not match. */
export function canonicalRequest(request: SignRequest): Promise<string>;
