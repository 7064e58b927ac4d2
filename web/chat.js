// Herald chat demo, on Herald's public API only: a token from the demo backend (POST /api/v1/demo/token),
// subscribe and publish with herald.js, presence from GET /api/v1/presence and the userlogin/userlogout events.
// The server stamps each message with its sender: {"from": user, "text": data, "time": ...}. Everything is
// rendered with textContent, never as HTML: message text is untrusted.
import { subscribe, publish, HeraldError } from '/herald.js';

const ROOMS = ['lobby', 'random', 'support'];
const ROOM_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const HISTORY = 50;
const SESSION_NAME = 'herald-chat-name'; // per tab: two tabs can be two people
const LAST_NAME = 'herald-demo-name'; // prefills the form, and the dashboard's operator name
const TRANSPORT = 'herald-chat-transport';
const CUSTOM_ROOMS = 'herald-chat-rooms';

const $ = (id) => document.getElementById(id);
const pad = (n) => String(n).padStart(2, '0');
const hm = (date) => `${pad(date.getHours())}:${pad(date.getMinutes())}`;

let me;
let token;
let room;
let subscription;
let rosterTimer;
let lastSender; // the sender of the last message shown, to group a run of them

function read(storage, key) {
  try {
    return storage.getItem(key);
  } catch {
    return null; // storage disabled
  }
}

function write(storage, key, value) {
  try {
    if (value === undefined) storage.removeItem(key);
    else storage.setItem(key, value);
  } catch {
    // Private mode or full: the page works, it just forgets.
  }
}

// The name picks a colour, so that a person looks the same in every tab.
function hue(name) {
  let h = 0;
  for (const c of name) h = (h * 31 + c.codePointAt(0)) % 360;
  return h;
}

function avatar(name) {
  const a = document.createElement('span');
  a.className = 'avatar';
  a.setAttribute('aria-hidden', 'true');
  a.textContent = [...name][0]?.toUpperCase() ?? '?';
  a.style.setProperty('--hue', String(hue(name)));
  return a;
}

async function mintToken(name) {
  const response = await fetch('/api/v1/demo/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: name }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || `The demo backend answered ${response.status}.`);
  return body;
}

async function renewToken() {
  token = (await mintToken(me)).token;
  return token;
}

// Sign in and out

async function signIn(name) {
  const minted = await mintToken(name);
  me = minted.username;
  token = minted.token;
  write(sessionStorage, SESSION_NAME, me);
  write(localStorage, LAST_NAME, me);
  $('me').textContent = me;
  $('me-avatar').replaceWith(Object.assign(avatar(me), { id: 'me-avatar' }));
  $('signin').hidden = true;
  $('app').hidden = false;
  renderRooms();
  join(roomFromHash() ?? room ?? ROOMS[0]);
  $('text').focus();
}

function signOut() {
  subscription?.close();
  subscription = undefined;
  me = undefined;
  token = undefined;
  write(sessionStorage, SESSION_NAME, undefined);
  $('app').hidden = true;
  $('signin').hidden = false;
  $('name').focus();
}

$('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = $('name').value.trim();
  $('signin-error').textContent = '';
  $('join').disabled = true;
  try {
    await signIn(name);
  } catch (error) {
    $('signin-error').textContent = error.message;
  } finally {
    $('join').disabled = false;
  }
});
$('signout').addEventListener('click', signOut);

// Rooms

function customRooms() {
  try {
    const saved = JSON.parse(read(localStorage, CUSTOM_ROOMS) ?? '[]');
    return Array.isArray(saved) ? saved.filter((r) => typeof r === 'string' && ROOM_NAME.test(r)) : [];
  } catch {
    return [];
  }
}

function allRooms() {
  return [...new Set([...ROOMS, ...customRooms(), ...(room ? [room] : [])])];
}

function renderRooms() {
  const list = $('rooms');
  list.replaceChildren(...allRooms().map((name) => {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = `# ${name}`;
    button.dataset.room = name;
    if (name === room) button.setAttribute('aria-current', 'true');
    button.addEventListener('click', () => join(name));
    item.append(button);
    return item;
  }));
}

function roomFromHash() {
  const match = /^#room=([a-z0-9-]+)$/.exec(location.hash);
  return match && ROOM_NAME.test(match[1]) ? match[1] : undefined;
}

$('new-room').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $('room-name').value.trim().toLowerCase().replace(/\s+/g, '-');
  if (!ROOM_NAME.test(name)) {
    $('room-error').textContent = 'A room name is 1 to 32 of a-z, 0-9 and -, starting with a letter or digit.';
    return;
  }
  $('room-error').textContent = '';
  $('room-name').value = '';
  write(localStorage, CUSTOM_ROOMS, JSON.stringify([...new Set([...customRooms(), name])]));
  join(name);
});

window.addEventListener('hashchange', () => {
  const wanted = roomFromHash();
  if (me && wanted && wanted !== room) join(wanted);
});

// One room at a time: its topic, chat/<room>, is the subscription. A subscription to the exact topic makes us
// present there; the server announces it to the room as userlogin.

function transport() {
  return read(localStorage, TRANSPORT) === 'longpoll' ? 'longpoll' : 'sse';
}

function join(name) {
  room = name;
  if (location.hash !== `#room=${name}`) history.replaceState(null, '', `#room=${name}`);
  document.title = `#${name} · Herald chat`;
  $('room').textContent = name;
  $('text').placeholder = `Message #${name}`;
  $('messages').replaceChildren();
  $('empty').hidden = false;
  $('roster').replaceChildren();
  $('online-count').textContent = '';
  lastSender = undefined;
  renderRooms();
  connect();
}

function connect() {
  subscription?.close();
  const topic = `chat/${room}`;
  const current = subscribe({
    topics: [topic],
    history: HISTORY,
    transport: transport(),
    token,
    getToken: renewToken,
    onMessage: (message) => {
      if (current === subscription) show(message);
    },
    onStatus: (status, info) => {
      if (current !== subscription) return;
      showState(status, info);
      if (status === 'live') refreshRoster();
    },
  });
  subscription = current;
}

function showState(status, info) {
  const state = $('state');
  state.dataset.state = status;
  const how = info?.transport === 'longpoll' ? 'long polling' : 'SSE';
  state.textContent = status === 'live' ? `live · ${how}` : status;
  if (status === 'closed' && info?.problem?.detail) $('send-error').textContent = info.problem.detail;
}

for (const input of document.querySelectorAll('input[name="transport"]')) {
  input.checked = input.value === transport();
  input.addEventListener('change', () => {
    write(localStorage, TRANSPORT, input.value);
    if (me) join(room); // the new transport replays the room's history, so start the view afresh
  });
}

// Messages

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function timeOf(iso) {
  const at = iso ? new Date(iso) : new Date();
  return Number.isNaN(at.getTime()) ? new Date() : at;
}

function show({ event, data }) {
  if (event === 'userlogin' || event === 'userlogout') {
    const who = parseJson(data)?.username;
    if (typeof who === 'string') showPresence(who, event === 'userlogin', parseJson(data)?.time);
    scheduleRoster();
    return;
  }
  const stamped = parseJson(data);
  // Only the server's stamp says who sent a message; anything else is shown as unverified.
  const verified = stamped && typeof stamped === 'object' && 'from' in stamped && typeof stamped.text === 'string';
  const from = verified ? (stamped.from ?? 'anonymous') : 'unverified';
  const text = verified ? stamped.text : data;
  append(messageItem(from, text, timeOf(verified ? stamped.time : undefined), verified));
}

function messageItem(from, text, at, verified) {
  const item = document.createElement('li');
  item.className = 'msg';
  item.dataset.from = from;
  if (from === me) item.classList.add('mine');
  if (!verified) item.classList.add('unverified');
  if (from === lastSender) item.classList.add('cont');
  lastSender = from;

  const head = document.createElement('div');
  head.className = 'head';
  const name = document.createElement('span');
  name.className = 'from';
  name.textContent = from;
  const when = document.createElement('time');
  when.dateTime = at.toISOString();
  when.textContent = hm(at);
  head.append(name, when);
  const body = document.createElement('div');
  body.className = 'text';
  body.textContent = text; // never innerHTML
  item.append(avatar(from), head, body);
  return item;
}

function showPresence(who, joined, time) {
  const item = document.createElement('li');
  item.className = `presence ${joined ? 'joined' : 'left'}`;
  item.dataset.user = who;
  const text = document.createElement('span');
  text.textContent = `${who} ${joined ? 'joined' : 'left'}`;
  const at = timeOf(time);
  const when = document.createElement('time');
  when.dateTime = at.toISOString();
  when.textContent = hm(at);
  item.append(text, when);
  lastSender = undefined;
  append(item);
}

function append(item) {
  const log = $('log');
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  $('messages').append(item);
  $('empty').hidden = true;
  if (atBottom) log.scrollTop = log.scrollHeight;
}

// Who is online: the server's list, fetched when we go live and again whenever someone joins or leaves.

function scheduleRoster() {
  clearTimeout(rosterTimer);
  rosterTimer = setTimeout(refreshRoster, 150);
}

async function refreshRoster() {
  const asked = room;
  try {
    const response = await fetch(`/api/v1/presence?topic=${encodeURIComponent(`chat/${asked}`)}`, {
      headers: { Authorization: `Bearer ${token}` },
      cache: 'no-store',
    });
    if (response.status === 401) {
      await renewToken();
      return scheduleRoster();
    }
    if (!response.ok || asked !== room) return;
    const { users } = await response.json();
    const list = $('roster');
    list.replaceChildren(...users.map(({ username }) => {
      const item = document.createElement('li');
      item.dataset.user = username;
      const name = document.createElement('span');
      name.textContent = username;
      item.append(name);
      if (username === me) {
        const you = document.createElement('span');
        you.className = 'you';
        you.textContent = '(you)';
        item.append(you);
      }
      return item;
    }));
    $('online-count').textContent = String(users.length);
  } catch {
    // The next join or leave, or going live again, tries again.
  }
}

// Sending: publish with the token; the server adds who sent it.

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('text');
  const text = input.value;
  if (!text.trim()) return;
  $('send').disabled = true;
  $('send-error').textContent = '';
  try {
    try {
      await publish({ topic: `chat/${room}`, data: text, token });
    } catch (error) {
      if (!(error instanceof HeraldError && error.status === 401)) throw error;
      await renewToken();
      await publish({ topic: `chat/${room}`, data: text, token });
    }
    input.value = '';
  } catch (error) {
    const detail = error instanceof HeraldError ? error.problem?.detail ?? error.message : error.message;
    $('send-error').textContent = `Not sent: ${detail}`;
  } finally {
    $('send').disabled = false;
    input.focus();
  }
});

// Start: a tab that signed in before (a reload) goes straight back in.

$('name').value = read(sessionStorage, SESSION_NAME) ?? read(localStorage, LAST_NAME) ?? '';
const returning = read(sessionStorage, SESSION_NAME);
if (returning) {
  signIn(returning).catch((error) => {
    $('signin-error').textContent = error.message;
  });
}
