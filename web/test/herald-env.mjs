// What the Node tests share: the Herald they run against (HERALD_URL, and an app that may publish and subscribe
// "#": HERALD_APP_KEY, HERALD_APP_SECRET), unique topics, tokens, and waiting. Not a test file itself: the runner
// is given *.test.mjs only (NodeClientsIT, `npm test`).
import { randomUUID } from 'node:crypto';
import { sign } from '../herald-sign.js';
import { publish } from '../herald.js';

export { waitFor, droppingFetch } from './support.mjs';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: these tests run against a real Herald (see NodeClientsIT)`);
  return value;
}

export const url = required('HERALD_URL').replace(/\/+$/, '');
export const app = { key: required('HERALD_APP_KEY'), secret: required('HERALD_APP_SECRET') };

/** A topic prefix no other test uses, so that tests running at once never see each other's messages. */
export function uniqueTopic(name) {
  return `node/${name}/${randomUUID().slice(0, 8)}`;
}

/** Publishes each of `datas` on `topic`, in order, signed as the app; returns the answers. */
export async function publishAll(topic, datas, event) {
  const answers = [];
  for (const data of datas) answers.push(await publish({ url, topic, data, event, app }));
  return answers;
}

/** A token for `user` that may read and publish `topics`, minted by Herald for the app (POST /api/v1/tokens). */
export async function mintToken(user, topics, ttlSeconds = 300) {
  const target = `${url}/api/v1/tokens`;
  const body = JSON.stringify({ user, subscribe: topics, publish: topics, ttlSeconds });
  const headers = { 'Content-Type': 'application/json' };
  Object.assign(headers, await sign({ method: 'POST', url: target, headers, body, appKey: app.key,
    appSecret: app.secret }));
  const response = await fetch(target, { method: 'POST', headers, body });
  if (!response.ok) throw new Error(`minting a token: ${response.status} ${await response.text()}`);
  return (await response.json()).token;
}
