// herald.js against small stand-in servers, for what a real Herald does not do on demand: a proxy that buffers
// the stream, exact bytes split anywhere, 429 with Retry-After, and what the reconnect after a drop sends.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { subscribe } from '../herald.js';
import { waitFor } from './support.mjs';

/** An HTTP server on a free loopback port answering with `handle(req, res, n)`, n counting requests from 1. */
async function stub(t, handle) {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url, headers: req.headers, at: Date.now() });
    handle(req, res, requests.length);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${server.address().port}`, requests };
}

function collect(t, options) {
  const got = [];
  const statuses = [];
  const sub = subscribe({ onMessage: (m) => got.push(m), onStatus: (status, info) => statuses.push({ status, info }),
    ...options });
  t.after(() => sub.close());
  return { sub, got, statuses };
}

const streamHead = { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' };

test('auto falls back to long polling, for good, when a stream delivers no first byte', async (t) => {
  const server = await stub(t, (req, res) => {
    if (req.url.startsWith('/api/v1/stream')) {
      res.writeHead(200, streamHead); // headers through, body held back: a buffering proxy
      res.flushHeaders();
      return;
    }
    const query = new URL(req.url, 'http://x').searchParams;
    const body = query.get('cursor') === null
      ? { messages: [], cursor: 'e-1' }
      : { messages: [{ id: 'e-2', topic: 'demo/x', event: 'message', data: 'polled', time: new Date().toISOString() }],
        cursor: 'e-2' };
    setTimeout(() => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(query.get('cursor') === 'e-2' ? { messages: [], cursor: 'e-2' } : body));
    }, query.get('timeout') === '0' ? 0 : 200);
  });
  const { sub, got, statuses } = collect(t, { url: server.url, topics: 'demo/#', firstByteTimeout: 300 });
  await waitFor('a polled message', () => got.length >= 1);
  assert.equal(sub.transport, 'longpoll');
  assert.deepEqual(got[0], { id: 'e-2', topic: 'demo/x', event: 'message', data: 'polled', time: got[0].time });
  assert.match(statuses.find((s) => s.status === 'reconnecting').info.reason, /falling back to long polling/);
  const polls = server.requests.filter((r) => r.url.startsWith('/api/v1/poll'));
  assert.match(polls[0].url, /timeout=0/, 'the first poll answers at once');
  assert.match(polls[1].url, /cursor=e-1&timeout=25&limit=500/);
  assert.equal(server.requests.filter((r) => r.url.startsWith('/api/v1/stream')).length, 1);
});

test('the SSE reader takes lines ending in CRLF, LF or CR, split anywhere, and multi-line data', async (t) => {
  const wire = '\uFEFFretry: 2000\r\n: comment\r\n\r\nid: e-1\r\n\r\n'
    + 'id: e-2\r\nevent: chat\r\ndata: one\r\ndata: two\r\n\r\n'
    + 'id: e-3\rdata: cr only\r\rid: e-4\ndata:no space\n\ndata: ignored id\nid: bad\0id\n\n'
    + 'event: herald.truncated\ndata: {"cursor":"e-0","detail":"gone"}\n\n';
  const server = await stub(t, async (req, res) => {
    res.writeHead(200, streamHead);
    for (let i = 0; i < wire.length; i += 3) {
      res.write(wire.slice(i, i + 3)); // every split, a CRLF's halves apart included
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  });
  const truncations = [];
  const { sub, got } = collect(t, { url: server.url, topics: 't', transport: 'sse',
    onTruncated: (x) => truncations.push(x) });
  await waitFor('the truncation notice', () => truncations.length >= 1);
  assert.deepEqual(got, [
    { id: 'e-2', event: 'chat', data: 'one\ntwo' },
    { id: 'e-3', event: 'message', data: 'cr only' },
    { id: 'e-4', event: 'message', data: 'no space' },
    { id: undefined, event: 'message', data: 'ignored id' },
  ]);
  assert.deepEqual(truncations, [{ cursor: 'e-0', detail: 'gone' }]);
  assert.equal(sub.cursor, 'e-4', 'events without an id, and control events, do not move the cursor');
});

test('after a drop, APP mode signs afresh and resumes through a signed Last-Event-ID header, not the URL',
  async (t) => {
    const server = await stub(t, (req, res, n) => {
      res.writeHead(200, streamHead);
      if (n === 1) res.end('retry: 50\n\nid: e-1\n\nid: e-2\ndata: first\n\n'); // then the connection drops
      else res.write('id: e-3\ndata: second\n\n');
    });
    const app = { key: 'HKTESTKEY', secret: 'secret' };
    const { got } = collect(t, { url: server.url, topics: ['a/+', 'b/#'], transport: 'sse', app });
    await waitFor('the message after the reconnect', () => got.length >= 2);
    const [first, second] = server.requests;
    assert.equal(first.url, '/api/v1/stream?topic=a/%2B&topic=b/%23');
    assert.equal(first.headers['last-event-id'], undefined);
    assert.equal(second.url, first.url, 'the resume position stays out of the URL');
    assert.equal(second.headers['last-event-id'], 'e-2');
    assert.match(second.headers.authorization,
      /^SDK-HMAC-SHA256 Access=HKTESTKEY, SignedHeaders=accept;host;last-event-id;x-sdk-date, Signature=[0-9a-f]{64}$/);
    assert.notEqual(second.headers.authorization, first.headers.authorization);
    assert.ok(second.at - first.at >= 45, 'waited for the retry the stream asked for');
  });

test('429 is retried after Retry-After; 403 ends the subscription with the problem', async (t) => {
  const server = await stub(t, (req, res, n) => {
    if (n === 1) {
      res.writeHead(429, { 'Content-Type': 'application/problem+json', 'Retry-After': '1' });
      res.end('{"type":"urn:herald:problem:too-many-requests","status":429,"detail":"slow down"}');
    } else {
      res.writeHead(403, { 'Content-Type': 'application/problem+json' });
      res.end('{"type":"urn:herald:problem:forbidden","status":403,"detail":"not yours"}');
    }
  });
  const { statuses } = collect(t, { url: server.url, topics: 't', transport: 'sse', token: 'opaque' });
  const closed = await waitFor('closed', () => statuses.find((s) => s.status === 'closed'), 5000);
  assert.equal(closed.info.problem.detail, 'not yours');
  assert.equal(server.requests.length, 2);
  assert.ok(server.requests[1].at - server.requests[0].at >= 990, 'waited out Retry-After');
  assert.equal(server.requests[0].headers.authorization, 'Bearer opaque');
  const reconnecting = statuses.find((s) => s.status === 'reconnecting');
  assert.ok(reconnecting.info.delay >= 1000);
  assert.equal(reconnecting.info.error.status, 429);
});
