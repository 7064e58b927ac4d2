// herald.js in Node against a real Herald: SSE through the fetch reader, long polling, publish(), APP signing,
// token renewal. Needs HERALD_URL, HERALD_APP_KEY, HERALD_APP_SECRET (NodeClientsIT sets them).
import test from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { subscribe, publish, HeraldError } from '../herald.js';
import { sign } from '../herald-sign.js';
import { url, app, uniqueTopic, publishAll, mintToken, waitFor } from './herald-env.mjs';

/** Subscribes, collecting messages, statuses and truncations; resolves once live, rejects if it closes first. */
async function open(t, options) {
  const got = [];
  const statuses = [];
  const truncations = [];
  const sub = subscribe({
    url,
    onMessage: (m) => got.push(m),
    onStatus: (status, info) => statuses.push({ status, info }),
    onTruncated: (info) => truncations.push(info),
    ...options,
  });
  t.after(() => sub.close());
  await waitFor('the subscription to go live', () => {
    const closed = statuses.find((s) => s.status === 'closed');
    if (closed) throw new Error(`closed before going live: ${JSON.stringify(closed.info.problem ?? closed.info)}`);
    return statuses.some((s) => s.status === 'live');
  });
  return { sub, got, statuses, truncations };
}

const datas = (messages) => messages.map((m) => m.data);

/** Receives, closes, misses two messages, and resumes from the cursor: each message once, in order. */
async function resumesAcrossCloseAndReopen(t, transport, topic, options) {
  const first = await open(t, { topics: `${topic}/#`, transport, ...options });
  assert.equal(first.sub.transport, transport);
  const sent = await publishAll(`${topic}/a`, ['one', 'two', 'three']);
  await waitFor('three messages', () => first.got.length >= 3);
  assert.deepEqual(datas(first.got), ['one', 'two', 'three']);
  assert.deepEqual(first.got.map((m) => m.id), sent.map((a) => a.id));
  assert.ok(first.got.every((m) => m.event === 'message'));
  first.sub.close();
  assert.equal(first.sub.cursor, sent[2].id);
  assert.equal(first.statuses.at(-1).status, 'closed');

  const missed = await publishAll(`${topic}/b`, ['four', 'five'], 'note');
  const second = await open(t, { topics: `${topic}/#`, transport, cursor: first.sub.cursor, ...options });
  await waitFor('the two missed messages', () => second.got.length >= 2);
  await sleep(300); // nothing more may come
  assert.deepEqual(datas(second.got), ['four', 'five']);
  assert.deepEqual(second.got.map((m) => m.id), missed.map((a) => a.id));
  assert.deepEqual(second.got.map((m) => m.event), ['note', 'note']);
  assert.equal(first.got.length, 3, 'a closed subscription delivers nothing more');
  return { first, second };
}

test('SSE (fetch reader) with a token: receives, and resumes after close and reopen', async (t) => {
  const topic = uniqueTopic('token');
  const token = await mintToken('alice', [`${topic}/#`]);
  const { second } = await resumesAcrossCloseAndReopen(t, 'sse', topic, { token });
  assert.equal(second.got[0].topic, undefined, 'SSE does not say the topic');
});

test('long polling, forced, with a token: receives with topic and time, and resumes after close and reopen',
  async (t) => {
    const topic = uniqueTopic('longpoll');
    const token = await mintToken('alice', [`${topic}/#`]);
    const { second } = await resumesAcrossCloseAndReopen(t, 'longpoll', topic, { token });
    assert.equal(second.got[0].topic, `${topic}/b`);
    assert.ok(!Number.isNaN(Date.parse(second.got[0].time)), `time: ${second.got[0].time}`);
  });

test('APP-signed subscription over SSE: signed afresh each time, resuming through a signed Last-Event-ID',
  async (t) => {
    await resumesAcrossCloseAndReopen(t, 'sse', uniqueTopic('app-sse'), { app });
  });

test('APP-signed long polling: each poll signed, the cursor in its signed query', async (t) => {
  await resumesAcrossCloseAndReopen(t, 'longpoll', uniqueTopic('app-poll'), { app });
});

test('history=N replays the last messages first', async (t) => {
  const topic = uniqueTopic('history');
  await publishAll(topic, ['a', 'b', 'c']);
  const sub = await open(t, { topics: topic, transport: 'sse', app, history: 2 });
  await waitFor('two replayed messages', () => sub.got.length >= 2);
  assert.deepEqual(datas(sub.got), ['b', 'c']);
});

test('a token that expires is renewed through getToken, and the stream resumes without a gap', async (t) => {
  const topic = uniqueTopic('renew');
  let minted = 0;
  const getToken = async () => {
    minted += 1;
    return mintToken('bob', [topic], 2);
  };
  const sub = await open(t, { topics: topic, transport: 'sse', getToken });
  const before = await publishAll(topic, ['before']);
  await waitFor('the first message', () => sub.got.length >= 1);
  await sleep(2500); // the first token has expired: the server ended that stream with herald.token-expired
  const after = await publishAll(topic, ['after-1', 'after-2']);
  await waitFor('the messages after expiry', () => sub.got.length >= 3, 15_000);
  assert.deepEqual(sub.got.map((m) => m.id), [...before, ...after].map((a) => a.id));
  assert.ok(minted >= 2, `getToken called ${minted} times`);
  assert.ok(!sub.statuses.some((s) => s.status === 'closed'), JSON.stringify(sub.statuses));
});

test('a cursor the server cannot read is reported as a truncation, and delivery starts from now', async (t) => {
  const topic = uniqueTopic('badcursor');
  const sub = await open(t, { topics: topic, transport: 'sse', app, cursor: 'not-a-cursor' });
  assert.equal(sub.truncations.length, 1);
  assert.equal(sub.truncations[0].cursor, 'not-a-cursor');
  await publishAll(topic, ['fresh']);
  await waitFor('a message', () => sub.got.length >= 1);
  assert.deepEqual(datas(sub.got), ['fresh']);
});

test('a subscription its credentials do not allow closes with the problem, without retrying', async (t) => {
  const token = await mintToken('carol', ['node/allowed/#']);
  const statuses = [];
  const sub = subscribe({ url, topics: 'node/elsewhere', token, onStatus: (s, info) => statuses.push({ s, info }) });
  t.after(() => sub.close());
  const closed = await waitFor('closed', () => statuses.find((x) => x.s === 'closed'));
  assert.equal(closed.info.problem.status, 403);
  assert.match(closed.info.problem.type, /forbidden/);
  assert.deepEqual(statuses.map((x) => x.s), ['connecting', 'closed']);
});

test('publish(): answers id, topic and duplicate; an id is an idempotency key; refusals are HeraldErrors', async () => {
  const topic = uniqueTopic('publish');
  const first = await publish({ url, topic, data: 'x', id: 'key-1', app });
  assert.equal(first.topic, topic);
  assert.equal(first.duplicate, false);
  const again = await publish({ url, topic, data: 'x', id: 'key-1', app });
  assert.deepEqual(again, { ...first, duplicate: true });

  // Identical messages signed in one second sign alike; the second is re-signed rather than taken for a replay.
  const twin = () => publish({ url, topic, data: 'twin', app });
  const twins = await Promise.all([twin(), twin()]);
  assert.notEqual(twins[0].id, twins[1].id);

  const token = await mintToken('dave', [topic]);
  assert.equal((await publish({ url, topic, data: 'by token', token })).topic, topic);
  await assert.rejects(publish({ url, topic: 'node/not-mine', data: 'x', token }),
    (e) => e instanceof HeraldError && e.status === 403 && e.type === 'forbidden');
  await assert.rejects(publish({ url, topic: 'node/anonymous', data: 'x' }),
    (e) => e instanceof HeraldError && e.status === 401 && e.type === 'credentials-required');
});

test('why the position goes in a signed header: a polyfill appending lastEventId breaks the signature', async () => {
  const target = `${url}/api/v1/stream?topic=${uniqueTopic('polyfill')}`;
  const headers = await sign({ method: 'GET', url: target, appKey: app.key, appSecret: app.secret });
  const refused = await fetch(`${target}&lastEventId=x-1`, { headers });
  assert.equal(refused.status, 401);
  assert.match((await refused.json()).type, /signature-mismatch/);
  const accepted = await fetch(target, { headers });
  assert.equal(accepted.status, 200);
  await accepted.body.cancel();
});
