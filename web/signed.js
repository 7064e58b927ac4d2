// The clock demo signed as an app: herald.js signs every connection with the AppKey and AppSecret given in the
// form (SDK-HMAC-SHA256; the resume position in a signed Last-Event-ID header). The credentials live in this
// tab's sessionStorage only: gone when the tab closes, never in localStorage, a cookie or a URL.
// Everything received is rendered with textContent: message data is untrusted.
import { subscribe } from './herald.js';

const STORED = 'herald.signed-clock.app';
const $ = (id) => document.getElementById(id);
const pad = (n) => String(n).padStart(2, '0');
const hms = (date) => `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;

$('zone').textContent = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';

let subscription;
let ticks = 0;

function showState(state, text = state) {
  $('state').textContent = text;
  $('state').dataset.state = state;
}

function notice(text) {
  const p = document.createElement('p');
  p.className = 'notice';
  const span = document.createElement('span');
  span.textContent = text;
  const dismiss = document.createElement('button');
  dismiss.type = 'button';
  dismiss.textContent = 'Dismiss';
  dismiss.addEventListener('click', () => p.remove());
  p.append(span, dismiss);
  $('notices').append(p);
}

function showTick(message) {
  ticks += 1;
  $('ticks').textContent = String(ticks);
  $('last-id').textContent = message.id;
  $('time').textContent = message.data;
  const at = new Date(message.data);
  $('clock').textContent = Number.isNaN(at.getTime()) ? '--:--:--' : hms(at);
  if (!Number.isNaN(at.getTime())) $('clock').dateTime = message.data;
}

function connect(app) {
  subscription?.close();
  $('notices').replaceChildren();
  subscription = subscribe({
    topics: 'demo/clock',
    app,
    // Resume where the last connection got to when the form is submitted again.
    cursor: subscription?.cursor,
    onMessage: showTick,
    onTruncated: (info) => notice(`Missed ticks: ${info.detail ?? 'some were dropped'}`),
    onStatus: (status, info) => {
      const why = info.problem?.detail ?? info.error?.message;
      if (status === 'closed' && why) {
        showState('closed', 'refused');
        notice(`Herald refused the signed stream: ${why}`);
      } else {
        showState(status);
      }
    },
  });
}

function stored() {
  try {
    const app = JSON.parse(sessionStorage.getItem(STORED));
    return typeof app?.key === 'string' && typeof app?.secret === 'string' ? app : undefined;
  } catch {
    return undefined;
  }
}

$('credentials').addEventListener('submit', (event) => {
  event.preventDefault();
  const app = { key: $('app-key').value.trim(), secret: $('app-secret').value };
  try {
    sessionStorage.setItem(STORED, JSON.stringify(app));
  } catch {
    // Storage refused: this tab still connects, it just asks again after a reload.
  }
  try {
    connect(app);
  } catch (error) {
    notice(error.message); // e.g. an AppKey with a comma
  }
});

$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(STORED);
  subscription?.close();
  subscription = undefined;
  $('credentials').reset();
  showState('closed', 'not connected');
});

const app = stored();
if (app) {
  $('app-key').value = app.key;
  $('app-secret').value = app.secret;
  connect(app);
}
