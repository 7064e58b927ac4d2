/** One message as delivered. `id` is its cursor: resuming after it gets everything published since. */
export interface HeraldMessage {
  id: string;
  /** The message's topic; long polling says it, SSE does not (subscribe per topic to tell them apart). */
  topic?: string;
  /** The event type; `message` unless the publisher named one. */
  event: string;
  data: string;
  /** When it was published (ISO 8601); long polling only. */
  time?: string;
}

/** An RFC 9457 problem, as Herald answers every refusal. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
}

/** History did not reach back to `cursor`: messages after it are missing; delivery goes on from the oldest kept. */
export interface Truncation {
  cursor?: string;
  detail?: string;
}

export type Transport = 'sse' | 'longpoll';
export type Status = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface StatusInfo {
  transport?: Transport;
  /** On `live`: the cursor delivery goes on after. */
  cursor?: string;
  /** On `reconnecting`: milliseconds until the next attempt. */
  delay?: number;
  /** What went wrong: a HeraldError for a refusal, a TypeError for a network failure. */
  error?: unknown;
  /** On `closed` after a refusal that neither retrying nor renewing a token can fix (401, 403, 400...). */
  problem?: Problem;
  /** Why the transport changed, e.g. the fallback from SSE to long polling. */
  reason?: string;
}

export interface AppCredentials {
  /** The AppKey. */
  key: string;
  /** The AppSecret. Only on trusted internal pages and backends: never ship it to a public page. */
  secret: string;
}

export interface SubscribeOptions {
  /** Herald's base URL; default `location.origin` (required in Node). */
  url?: string | URL;
  /** Topics or selectors with `+` (one segment) and `#` (the rest) wildcards; at most 64. */
  topics: string | string[];
  onMessage?: (message: HeraldMessage) => void;
  onStatus?: (status: Status, info: StatusInfo) => void;
  onTruncated?: (truncation: Truncation) => void;
  /**
   * `sse` reads the event stream with fetch; `longpoll` polls `/api/v1/poll`; `auto` (default) takes SSE and falls
   * back to long polling for good when the runtime cannot stream fetch bodies or a stream delivers no first byte
   * within `firstByteTimeout` (a buffering proxy).
   */
  transport?: 'auto' | Transport;
  /** A token the app's backend minted (sent as `Authorization: Bearer`). */
  token?: string;
  /**
   * Returns a fresh token: called first when no `token` is given, ahead of a JWT's `exp`, and when the server says
   * the token expired (`herald.token-expired`, or 401 `expired`).
   */
  getToken?: () => Promise<string> | string;
  /** APP signing (SDK-HMAC-SHA256): every connection and poll is signed afresh, the cursor in a signed header. */
  app?: AppCredentials;
  /** Resume after this cursor (a message id); takes precedence over `history` and a persisted cursor. */
  cursor?: string;
  /** When not resuming, replay the last N messages first. */
  history?: number;
  /** A localStorage key to keep the cursor under, so that a reloaded page resumes where it was. */
  persist?: string;
  /** Milliseconds an SSE stream may take to deliver its first byte before `auto` falls back; default 5000. */
  firstByteTimeout?: number;
  /** fetch's credentials mode, e.g. `include` to send the `herald_token` cookie cross-origin. */
  credentials?: RequestCredentials;
}

export interface Subscription {
  /** Stops for good; onStatus gets `closed`. */
  close(): void;
  /** The position delivery has reached: the last message's id, or the start position. */
  readonly cursor: string | undefined;
  readonly transport: Transport;
}

/** Subscribes, and keeps the subscription up until `close()`: reconnects with backoff, resumes after the cursor. */
export function subscribe(options: SubscribeOptions): Subscription;

export interface PublishOptions {
  /** Herald's base URL; default `location.origin`. */
  url?: string | URL;
  topic: string;
  /** UTF-8 text; any other JSON value is sent as its compact JSON text. */
  data: unknown;
  /** The event type (default `message`). */
  event?: string;
  /** An idempotency key: publishing the same id on the same topic again stores nothing new. */
  id?: string;
  token?: string;
  app?: AppCredentials;
  credentials?: RequestCredentials;
}

export interface Published {
  id: string;
  topic: string;
  duplicate: boolean;
}

/**
 * Publishes one message, durable when this resolves. Rejects with a HeraldError when refused. Nothing is retried,
 * except that in APP mode a publish refused as a replay (an identical one was signed in the same second) is signed
 * again in the next second.
 */
export function publish(options: PublishOptions): Promise<Published>;

/** A refusal from Herald. */
export class HeraldError extends Error {
  readonly status?: number;
  readonly problem?: Problem;
  /** The problem type without its `urn:herald:problem:` prefix, e.g. `expired`, `forbidden`. */
  readonly type?: string;
  /** From Retry-After, in milliseconds. */
  readonly retryAfter?: number;
}
