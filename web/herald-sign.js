// SDK-HMAC-SHA256 request signing ("APP" authentication), by the rules of the public API-gateway JavaScript
// signer, with WebCrypto: browsers and Node 20+. No dependencies.
//
//   Authorization: SDK-HMAC-SHA256 Access=<AppKey>, SignedHeaders=<h1;h2;...>, Signature=<hex>
//   X-Sdk-Date:    yyyyMMdd'T'HHmmss'Z' (UTC)
//
//   Signature        = hex(HMAC-SHA256(UTF-8(AppSecret), StringToSign))
//   StringToSign     = "SDK-HMAC-SHA256" LF X-Sdk-Date LF hex(SHA-256(CanonicalRequest))
//   CanonicalRequest = Method LF CanonicalURI LF CanonicalQuery LF CanonicalHeaders LF SignedHeaders LF PayloadHash
//
// Never ship an AppSecret to a public web page: there, let the app's backend mint a short-lived token instead.

const ALGORITHM = 'SDK-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const utf8 = new TextEncoder();

/**
 * Signs a request. Returns the headers to add: `Authorization` and `X-Sdk-Date`.
 *
 * Send the request to `url` as given (fetch sends what the URL parser makes of it, which is what is signed),
 * with exactly the `headers` signed here and the `body` signed here.
 */
export async function sign({ method, url, headers = {}, body, appKey, appSecret, date = new Date() }) {
  if (typeof appKey !== 'string' || !/^[\x21-\x7e]+$/.test(appKey) || appKey.includes(',')) {
    throw new TypeError('appKey: expected visible ASCII without ","');
  }
  if (typeof appSecret !== 'string') throw new TypeError('appSecret: expected a string');
  const { canonicalRequest, signedHeaders, xSdkDate } = await canonicalize({ method, url, headers, body, date });
  const stringToSign = `${ALGORITHM}\n${xSdkDate}\n${hex(await sha256(utf8.encode(canonicalRequest)))}`;
  const key = await crypto.subtle.importKey('raw', utf8.encode(appSecret), { name: 'HMAC', hash: 'SHA-256' },
    false, ['sign']);
  const signature = hex(await crypto.subtle.sign('HMAC', key, utf8.encode(stringToSign)));
  return {
    Authorization: `${ALGORITHM} Access=${appKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
    'X-Sdk-Date': xSdkDate,
  };
}

/** The canonical request `sign` signs, for finding out why a signature does not match. */
export async function canonicalRequest({ method, url, headers = {}, body, date = new Date() }) {
  return (await canonicalize({ method, url, headers, body, date })).canonicalRequest;
}

async function canonicalize({ method, url, headers, body, date }) {
  if (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method)) throw new TypeError('method: expected e.g. GET');
  // Uppercase, as the server compares it; note that fetch itself does not uppercase "patch".
  method = method.toUpperCase();
  // Relative URLs resolve against the page, as fetch resolves them.
  const u = new URL(url, globalThis.location?.href);
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new TypeError('date: expected a Date');
  const xSdkDate = date.toISOString().replace(/[-:]|\.\d{3}/g, ''); // 2024-03-26T03:08:01.000Z -> 20240326T030801Z

  // Every given header is signed, as fetch will send it (name lowercase, a name given twice joined into one
  // value), and so are host and x-sdk-date. Browsers and polyfills may add headers after signing; the server only
  // looks at the signed ones. Browsers cannot set Host: it is the URL's host, with an explicit port unless it is
  // the scheme's default (the URL parser drops :443 on https, and so does the Host header fetch sends).
  const signed = new Map();
  for (const [name, value] of new Headers(headers)) {
    if (name === 'authorization' || name === 'x-sdk-date') throw new TypeError(`headers: ${name} is set by sign()`);
    signed.set(name, value);
  }
  if (!signed.has('host')) signed.set('host', u.host);
  signed.set('x-sdk-date', xSdkDate);
  const signedHeaders = [...signed.keys()].sort();
  // Values trimmed; each line ends in LF, so the block ends in LF (and an empty line follows).
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${signed.get(name).trim()}\n`).join('');

  // The body counts for POST, PUT and PATCH only; a signed X-Sdk-Content-Sha256 replaces its hash verbatim
  // (UNSIGNED-PAYLOAD leaves the body unsigned).
  let payloadHash = signed.get('x-sdk-content-sha256')?.trim();
  if (payloadHash === undefined) {
    payloadHash = hex(await sha256(['POST', 'PUT', 'PATCH'].includes(method) ? await bytes(body) : new Uint8Array()));
  } else if (payloadHash !== UNSIGNED_PAYLOAD && !/^[0-9a-fA-F]{64}$/.test(payloadHash)) {
    throw new TypeError('X-Sdk-Content-Sha256: expected UNSIGNED-PAYLOAD or 64 hex digits');
  }

  const canonicalRequest = [method, canonicalUri(u.pathname), canonicalQuery(u.search.slice(1)), canonicalHeaders,
    signedHeaders.join(';'), payloadHash].join('\n');
  return { canonicalRequest, signedHeaders, xSdkDate };
}

// The path as sent, decoded by decodeURI (escapes of ; / ? : @ & = + $ , # stay, so %2F signs as %252F), split on
// "/", each segment encoded, joined with "/", and a "/" appended when missing: /x and /x/ sign the same.
function canonicalUri(path) {
  const uri = decodeURI(path).split('/').map(encode).join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

// The query split on "&", each item on its first "=" (a bare "flag" is "flag="), keys and values decoded by
// decodeURI ("+" is a literal plus), sorted by key and then value in UTF-16 code-unit order, encoded again.
// Empty items are skipped; an item with an empty name is refused, as the server refuses it.
function canonicalQuery(query) {
  const pairs = [];
  for (const item of query.split('&')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    if (key === '') throw new TypeError(`query: item "${item}" has an empty name`);
    pairs.push([decodeURI(key), eq < 0 ? '' : decodeURI(item.slice(eq + 1))]);
  }
  const order = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  pairs.sort((a, b) => order(a[0], b[0]) || order(a[1], b[1]));
  return pairs.map(([key, value]) => `${encode(key)}=${encode(value)}`).join('&');
}

// Keeps A-Z a-z 0-9 - . _ ~; everything else as UTF-8 %XX with uppercase hex. encodeURIComponent does that
// but keeps ! ' ( ) * too, and throws on a lone surrogate.
function encode(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

async function bytes(body) {
  if (body === undefined || body === null) return new Uint8Array();
  if (typeof body === 'string') return utf8.encode(body);
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (typeof Blob !== 'undefined' && body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  throw new TypeError('body: expected a string, bytes or a Blob (sign the exact bytes that are sent)');
}

async function sha256(data) {
  return crypto.subtle.digest('SHA-256', data);
}

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
