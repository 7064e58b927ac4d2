// Herald with the SSE clients people already use in Node: the `eventsource` package (the WHATWG EventSource) and
// Microsoft's fetch-event-source (custom headers). Each receives, loses its connection, and resumes by itself
// with Last-Event-ID: every message once, in order. Needs HERALD_URL, HERALD_APP_KEY, HERALD_APP_SECRET.
import test from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import { fetchEventSource } from '@microsoft/fetch-event-source';
import { url, uniqueTopic, publishAll, mintToken, waitFor, droppingFetch } from './herald-env.mjs';

test('the eventsource package receives, and resumes with Last-Event-ID after a dropped connection', async (t) => {
  const topic = uniqueTopic('eventsource');
  const token = await mintToken('erin', [topic]);
  const wire = droppingFetch();
  const got = [];
  // EventSource cannot set headers: the token goes in the query, as in browsers.
  const source = new EventSource(`${url}/api/v1/stream?topic=${topic}&access_token=${token}`, { fetch: wire.fetch });
  t.after(() => source.close());
  source.addEventListener('message', (e) => got.push({ id: e.lastEventId, data: e.data }));
  source.addEventListener('note', (e) => got.push({ id: e.lastEventId, data: e.data, event: 'note' }));
  await new Promise((resolve, reject) => {
    source.onopen = resolve;
    source.onerror = (e) => reject(new Error(`EventSource failed: ${e.message ?? e.code}`));
  });
  source.onerror = null;

  const before = await publishAll(topic, ['one', 'two']);
  await waitFor('two messages', () => got.length >= 2);
  wire.drop();
  const during = await publishAll(topic, ['three'], 'note'); // published while it waits to reconnect (retry: 2 s)
  await waitFor('the message missed while away', () => got.length >= 3, 10_000);
  const after = await publishAll(topic, ['four']);
  await waitFor('a live message after the resume', () => got.length >= 4);

  assert.deepEqual(got.map((m) => m.data), ['one', 'two', 'three', 'four']);
  assert.deepEqual(got.map((m) => m.id), [...before, ...during, ...after].map((a) => a.id));
  assert.equal(got[2].event, 'note');
  assert.equal(wire.requests.length, 2);
  assert.equal(wire.requests[0].headers.get('last-event-id'), null);
  assert.equal(wire.requests[1].headers.get('last-event-id'), before[1].id);
});

test('fetch-event-source with a Bearer header receives, and resumes with Last-Event-ID after a drop', async (t) => {
  // It is written for browsers: it reads window's timers and document's visibility even with openWhenHidden.
  globalThis.window ??= globalThis;
  globalThis.document ??= { hidden: false, addEventListener() {}, removeEventListener() {} };
  const topic = uniqueTopic('fetch-event-source');
  const token = await mintToken('frank', [topic]);
  const wire = droppingFetch();
  const controller = new AbortController();
  t.after(() => controller.abort());
  const got = [];
  let opened;
  const open = new Promise((resolve) => {
    opened = resolve;
  });
  fetchEventSource(`${url}/api/v1/stream?topic=${topic}`, {
    headers: { Authorization: `Bearer ${token}` },
    fetch: wire.fetch,
    signal: controller.signal,
    openWhenHidden: true,
    async onopen(response) {
      if (response.status !== 200) throw new Error(`stream refused: ${response.status} ${await response.text()}`);
      opened();
    },
    // Herald opens with an id-only block, which this client hands over as a message with empty data.
    onmessage: (m) => {
      if (m.data !== '') got.push({ id: m.id, event: m.event, data: m.data });
    },
    onerror: () => 200, // retry after 200 ms (returning nothing would mean its default, 1 s)
  });
  await open;

  const before = await publishAll(topic, ['one', 'two']);
  await waitFor('two messages', () => got.length >= 2);
  wire.drop();
  const during = await publishAll(topic, ['three'], 'note');
  await waitFor('the message missed while away', () => got.length >= 3);
  const after = await publishAll(topic, ['four']);
  await waitFor('a live message after the resume', () => got.length >= 4);

  assert.deepEqual(got.map((m) => m.data), ['one', 'two', 'three', 'four']);
  assert.deepEqual(got.map((m) => m.id), [...before, ...during, ...after].map((a) => a.id));
  assert.deepEqual(got.map((m) => m.event), ['', '', 'note', '']);
  assert.equal(wire.requests.length, 2);
  for (const request of wire.requests) assert.equal(request.headers.get('authorization'), `Bearer ${token}`);
  assert.equal(wire.requests[1].headers.get('last-event-id'), before[1].id);
});
