// Herald client for browsers and Node 20+: subscribe to topics over Server-Sent Events or long polling,
// resume from the last cursor across every reconnect, renew tokens, sign as an app. No dependencies but
// herald-sign.js beside it; no build step.
//
// Why SSE is read with fetch and not EventSource: EventSource hides the HTTP status (a 401 that renewing a
// token fixes, a 403 that nothing fixes and a 429 with Retry-After all look alike), cannot send headers (a
// Bearer token or an APP signature; the resume position must be in a signed Last-Event-ID header, not the URL),
// and fires no event for the bytes a Herald stream opens with (a comment and an id-only block), so a proxy that
// buffers the stream cannot be told from a quiet topic. A fetch reader sees all of that, and Node has no
// EventSource anyway. Pages too old for streaming fetch get herald.classic.js.

import { sign } from './herald-sign.js';

const API = '/api/v1';
const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
/** Three missed heartbeats (the server sends one every 15 s): the connection is dead though nothing said so. */
const IDLE_MS = 45_000;
const POLL_SECONDS = 25;
/** How long past its timeout a long poll may stay unanswered before it is taken for dead. */
const POLL_SLACK_MS = 15_000;
const POLL_LIMIT = 500;
const RENEW_AHEAD_MS = 30_000;
const PROBLEM = 'urn:herald:problem:';

/** A refusal from Herald: `status`, the problem+json `problem`, its `type` slug and `retryAfter` in ms. */
export class HeraldError extends Error {
  constructor(message, { status, problem, retryAfter } = {}) {
    super(message);
    this.name = 'HeraldError';
    this.status = status;
    this.problem = problem;
    this.type = typeof problem?.type === 'string' ? problem.type.replace(PROBLEM, '') : undefined;
    this.retryAfter = retryAfter;
  }
}

// Reasons an attempt was aborted from inside: compared by identity with signal.reason.
const CLOSED = new Error('closed');
const FALLBACK = new Error('the stream delivered no first byte in time');
const IDLE = new Error(`nothing received for ${IDLE_MS / 1000} s`);

export function subscribe(options = {}) {
  const { onMessage, onStatus, onTruncated, getToken, app, history, persist, credentials } = options;
  const { transport: wanted = 'auto', firstByteTimeout = 5000 } = options;
  const base = baseUrl(options.url);
  const topics = [].concat(options.topics ?? []);
  if (topics.length === 0 || !topics.every((t) => typeof t === 'string' && t !== '')) {
    throw new TypeError('topics: expected a topic or selector, or an array of them (e.g. "chat/+")');
  }
  if (!['auto', 'sse', 'longpoll'].includes(wanted)) throw new TypeError('transport: expected auto, sse or longpoll');
  if (app && (options.token || getToken)) throw new TypeError('app and token: give one of them');
  if (app && (typeof app.key !== 'string' || typeof app.secret !== 'string')) {
    throw new TypeError('app: expected {key, secret}');
  }
  if (wanted === 'sse' && !canStream()) throw new TypeError('transport sse: this runtime cannot stream fetch bodies');

  const store = persist ? storage() : undefined;
  let cursor = options.cursor ?? store?.getItem(persist) ?? undefined;
  let transport = wanted === 'longpoll' || !canStream() ? 'longpoll' : 'sse';
  let token = options.token;
  let closed = false;
  let controller;
  let renewal;
  let wake = () => {};
  let sseProven = false; // a stream delivered bytes once: "auto" no longer suspects a buffering proxy
  let serverRetry; // the stream's retry: field, the reconnect delay the server asks for

  const report = (status, info) => call(onStatus, status, info);
  const setCursor = (id) => {
    cursor = id;
    try {
      store?.setItem(persist, id);
    } catch {
      // Storage full or refused (private mode): the cursor still lives in memory.
    }
  };
  const deliver = (message) => {
    if (!closed) call(onMessage, message);
  };
  const truncated = (info) => {
    if (!closed) call(onTruncated, info);
  };

  async function renewToken() {
    token = await getToken();
    scheduleRenewal();
  }

  // Renew ahead of expiry (30 s, or a tenth of a shorter lifetime), so that the stream the server ends at expiry
  // (herald.token-expired) is back at once, and long polls never go out with an expired token. A renewal that
  // fails here is tried again when the server refuses the old token.
  function scheduleRenewal() {
    clearTimeout(renewal);
    const claims = getToken && !closed ? jwtClaims(token) : undefined;
    if (typeof claims?.exp !== 'number') return;
    const lifetime = typeof claims.iat === 'number' ? (claims.exp - claims.iat) * 1000 : Infinity;
    const at = claims.exp * 1000 - Math.min(RENEW_AHEAD_MS, lifetime / 10);
    renewal = setTimeout(() => renewToken().catch(() => {}), Math.max(1000, at - Date.now()));
  }

  async function authorize(method, url, headers) {
    if (app) Object.assign(headers, await sign({ method, url, headers, appKey: app.key, appSecret: app.secret }));
    else if (token) headers.Authorization = `Bearer ${token}`;
  }

  const topicParams = () => topics.map((t) => ['topic', t]);

  async function stream(signal, live) {
    // The resume position goes in Last-Event-ID, which an APP signature covers; history only when not resuming.
    const params = topicParams();
    if (!cursor && history) params.push(['history', history]);
    const url = endpoint(base, 'stream', params);
    const headers = { Accept: 'text/event-stream' };
    if (cursor) headers['Last-Event-ID'] = cursor;
    await authorize('GET', url, headers);

    const fallback = wanted === 'auto' && !sseProven
      ? setTimeout(() => controller.abort(FALLBACK), firstByteTimeout) : undefined;
    let idle;
    let gotBytes = false;
    const alive = () => {
      clearTimeout(idle);
      idle = setTimeout(() => controller.abort(IDLE), IDLE_MS);
    };
    try {
      const response = await fetch(url, { headers, signal, cache: 'no-store', credentials });
      if (!response.ok) throw await refusal(response);
      const type = response.headers.get('content-type') ?? '';
      if (!type.startsWith('text/event-stream')) {
        // A captive portal or a proxy's error page, answered 200: retry later, as for a network error.
        throw new HeraldError(`expected text/event-stream, got ${type || 'no Content-Type'}`, { status: 200 });
      }
      alive();
      let end;
      const parse = sseParser((event) => {
        if (end || closed) return;
        if (event.id !== undefined) setCursor(event.id);
        if (event.data === undefined) return; // the id-only block that carries the start position
        if (!event.event.startsWith('herald.')) return deliver({ id: event.id, event: event.event, data: event.data });
        // Herald's own events carry no id: they never move the cursor.
        if (event.event === 'herald.truncated') truncated(parseJson(event.data));
        else if (event.event === 'herald.token-expired') end = 'token-expired';
        else if (event.event === 'herald.error') end = 'error';
      });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      try {
        while (!end) {
          const { value, done } = await reader.read();
          if (done) return 'ended';
          alive();
          clearTimeout(fallback);
          parse(decoder.decode(value, { stream: true }));
          if (!gotBytes) {
            // Live once bytes flow: the start position (or the first messages) has arrived.
            gotBytes = sseProven = true;
            live();
          }
        }
        return end;
      } finally {
        reader.cancel().catch(() => {});
        serverRetry = parse.retry;
      }
    } finally {
      clearTimeout(fallback);
      clearTimeout(idle);
    }
  }

  async function poll(signal, live) {
    // The first poll of each connection asks for what is there now (timeout 0), so that a subscriber is live,
    // and its start cursor known, at once; the following ones wait for messages.
    for (let first = true; !closed; first = false) {
      const params = topicParams();
      if (cursor) params.push(['cursor', cursor]);
      else if (history) params.push(['history', history]);
      const wait = first ? 0 : POLL_SECONDS;
      params.push(['timeout', wait], ['limit', POLL_LIMIT]);
      const url = endpoint(base, 'poll', params);
      const headers = { Accept: 'application/json' };
      await authorize('GET', url, headers);
      const dead = setTimeout(() => controller.abort(IDLE), wait * 1000 + POLL_SLACK_MS);
      let body;
      try {
        const response = await fetch(url, { headers, signal, cache: 'no-store', credentials });
        if (!response.ok) throw await refusal(response);
        body = await response.json();
      } finally {
        clearTimeout(dead);
      }
      if (closed) return 'ended';
      if (body.truncated) truncated(body.truncated);
      for (const m of body.messages ?? []) {
        setCursor(m.id);
        deliver({ id: m.id, topic: m.topic, event: m.event ?? 'message', data: m.data, time: m.time });
      }
      if (body.cursor) setCursor(body.cursor);
      if (first) live();
    }
    return 'ended';
  }

  async function run() {
    let attempt = 0; // failures since a connection last went live: the backoff's exponent
    let renewed = false; // a renewed token was refused as expired too: renewing cannot fix it
    report('connecting', { transport });
    scheduleRenewal();
    if (getToken && !token) {
      try {
        await renewToken();
      } catch (error) {
        return stop({ error });
      }
    }
    while (!closed) {
      controller = new AbortController();
      const { signal } = controller;
      let wentLive = false;
      const live = () => {
        wentLive = true;
        attempt = 0;
        renewed = false;
        report('live', { transport, cursor });
      };
      let delay;
      let info = {};
      try {
        const end = await (transport === 'sse' ? stream(signal, live) : poll(signal, live));
        if (closed) return;
        if (end === 'token-expired' && getToken) {
          // Renewed ahead already, as a rule; if not (no exp, or the renewal failed), now.
          if (!((jwtClaims(token)?.exp ?? 0) * 1000 > Date.now() + 1000)) await renewToken();
          delay = 0;
        } else if (end === 'token-expired') {
          const detail = 'The token expired and no getToken was given.';
          return stop({ problem: { type: `${PROBLEM}expired`, detail } });
        } else {
          delay = backoff(attempt++, wentLive && serverRetry ? serverRetry : MIN_DELAY_MS);
        }
      } catch (error) {
        if (closed) return;
        if (signal.reason === FALLBACK) {
          transport = 'longpoll';
          delay = 0;
          info = { reason: 'no first byte within firstByteTimeout: falling back to long polling' };
        } else if (error instanceof HeraldError && error.status >= 400) {
          const { status, type, problem } = error;
          info = { error, problem };
          if (status === 401 && type === 'expired' && getToken && !renewed && !app) {
            try {
              await renewToken();
              renewed = true;
              delay = 0;
            } catch (renewError) {
              delay = backoff(attempt++);
              info = { error: renewError };
            }
          } else if (status === 400 && type === 'malformed-cursor' && cursor !== undefined) {
            // A cursor this store cannot read (say, a stale one from storage): start from now, and say what
            // that costs, as the server does for a cursor older than its history.
            truncated({ cursor, detail: problem?.detail ?? 'The cursor was refused; resuming from now.' });
            cursor = undefined;
            try {
              store?.removeItem(persist);
            } catch {
              // Nothing to forget.
            }
            delay = 0;
          } else if (error.retryAfter !== undefined || status === 408 || status >= 500) {
            delay = Math.max(error.retryAfter ?? 0, backoff(attempt++));
          } else {
            return stop({ problem: problem ?? { status, detail: error.message } });
          }
        } else {
          delay = backoff(attempt++);
          info = { error: signal.reason === IDLE ? IDLE : error };
        }
      }
      if (closed) return;
      report('reconnecting', { transport, delay, ...info });
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  function stop(info = {}) {
    if (closed) return;
    closed = true;
    clearTimeout(renewal);
    controller?.abort(CLOSED);
    wake();
    report('closed', info);
  }

  run().catch((error) => stop({ error }));
  return {
    close: () => stop(),
    get cursor() {
      return cursor;
    },
    get transport() {
      return transport;
    },
  };
}

/**
 * Publishes one message and returns Herald's answer `{id, topic, duplicate}`; throws a HeraldError when refused
 * (with `retryAfter` for 429 and 503). Nothing is retried, since a failure in flight may have been stored; give
 * an `id` (idempotency key) to retry safely.
 */
export async function publish({ url, topic, data, event, id, token, app, credentials } = {}) {
  const target = `${baseUrl(url)}${API}/publish`;
  const body = JSON.stringify({ topic, data, event, id }); // undefined fields are left out
  for (let tries = 1; ; tries++) {
    const headers = { 'Content-Type': 'application/json' };
    if (app) {
      Object.assign(headers, await sign({ method: 'POST', url: target, headers, body, appKey: app.key,
        appSecret: app.secret }));
    } else if (token) {
      headers.Authorization = `Bearer ${token}`;
    }
    const response = await fetch(target, { method: 'POST', headers, body, credentials });
    if (response.ok) return response.json();
    const error = await refusal(response);
    // The same message signed twice in one second signs the same, and the second is refused as a replay,
    // having stored nothing: sign it again in the next second (X-Sdk-Date has second precision).
    if (app && tries === 1 && error.status === 401 && error.type === 'replayed') {
      await new Promise((resolve) => setTimeout(resolve, 1010 - (Date.now() % 1000)));
      continue;
    }
    throw error;
  }
}

// An SSE parser by the WHATWG rules: lines end in CRLF, LF or CR; a blank line dispatches; "data" lines join
// with LF; an id with NUL is ignored. Dispatches {id?, event, data?}: data is undefined when no data line came.
function sseParser(dispatch) {
  let buffer = '';
  let data = [];
  let event = '';
  let id;
  let first = true;
  const parse = (text) => {
    if (first && text !== '') {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    buffer += text;
    // A CR at the end may be the first half of a CRLF whose LF is in the next chunk: keep it for then.
    const end = buffer.endsWith('\r') ? buffer.length - 1 : buffer.length;
    const lines = buffer.slice(0, end).split(/\r\n|\r|\n/);
    buffer = lines.pop() + buffer.slice(end);
    for (const line of lines) {
      if (line === '') {
        if (id !== undefined || data.length > 0) {
          dispatch({ id, event: event || 'message', data: data.length > 0 ? data.join('\n') : undefined });
        }
        data = [];
        event = '';
        id = undefined;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'id' && !value.includes('\0')) id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) parse.retry = Number(value);
    }
  };
  return parse;
}

// Full jitter: uniformly between the floor and a ceiling that doubles with each failure, up to 30 s, so that
// the clients of a restarted server come back spread out rather than all at once.
function backoff(attempt, floor = MIN_DELAY_MS) {
  return floor + Math.random() * Math.min(MAX_DELAY_MS - floor, MIN_DELAY_MS * 2 ** attempt);
}

async function refusal(response) {
  let problem;
  try {
    if (/json/.test(response.headers.get('content-type') ?? '')) problem = await response.json();
  } catch {
    // A body that is not the problem+json it claims: the status still says enough.
  }
  const detail = typeof problem?.detail === 'string' ? problem.detail : response.statusText;
  return new HeraldError(`${response.status} ${detail}`, {
    status: response.status, problem, retryAfter: retryAfter(response.headers.get('retry-after')),
  });
}

/** Retry-After in ms: delay-seconds or an HTTP date (RFC 9110); undefined when absent or unreadable. */
function retryAfter(value) {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function endpoint(base, name, params) {
  // Selectors keep their slashes for readable URLs; + and # must be escaped (# would end the URL).
  const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2F/g, '/')}`).join('&');
  return `${base}${API}/${name}?${query}`;
}

function baseUrl(url = globalThis.location?.origin) {
  if (url === undefined) throw new TypeError('url: expected Herald\'s base URL, e.g. http://localhost:8080');
  return String(url).replace(/\/+$/, '');
}

function canStream() {
  return typeof fetch === 'function' && typeof ReadableStream === 'function' && typeof Response === 'function'
    && 'body' in Response.prototype;
}

function storage() {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined; // storage disabled: reading localStorage itself throws
  }
}

/** A JWT's claims (not verified: only to know when to renew it), or undefined for a token that is not a JWT. */
function jwtClaims(token) {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return undefined;
  }
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}

// A listener that throws must not stop the subscription: report it as uncaught, and go on.
function call(listener, ...args) {
  if (typeof listener !== 'function') return;
  try {
    listener(...args);
  } catch (error) {
    if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
    else console.error('herald: a listener threw', error);
  }
}
