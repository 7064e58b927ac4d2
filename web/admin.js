// Herald admin page: polls GET /api/v1/admin/stats (the server's own meters and the hub's subscriptions) every
// 2 s with the admin token, and turns the counters into rates. The token comes from the link `./herald serve`
// prints (#token=..., read here and taken out of the address bar at once) or from the form, and is kept for
// this tab only (sessionStorage).
import { timeWindow, clockTicks, css } from '/charts.js';

const EVERY_MS = 2000;
const WINDOW_SECONDS = 300;
const KEY = 'herald-admin-token';
const TRANSPORTS = [['sse', 'Server-Sent Events', 'SSE'], ['longpoll', 'Long polling', 'long poll'],
  ['websocket', 'WebSocket', 'WebSocket']];

const $ = (id) => document.getElementById(id);

let token;
let timer;
let previous;
let chart;
const series = [[], [], []]; // time, published/s, delivered/s

function remember(value) {
  token = value;
  try {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  } catch {
    // kept in memory only
  }
}

function element(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function rate(value) {
  if (value === undefined) return '–';
  return value >= 100 ? Math.round(value).toLocaleString() : value.toFixed(1);
}

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

function duration(seconds) {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
}

function sum(object) {
  return Object.values(object ?? {}).reduce((a, b) => a + b, 0);
}

function showSignIn(message) {
  clearTimeout(timer);
  $('app').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = message ?? '';
  $('token').focus();
}

async function poll() {
  clearTimeout(timer);
  let stats;
  try {
    const response = await fetch('/api/v1/admin/stats', { headers: { Authorization: `Bearer ${token}` },
      cache: 'no-store' });
    if (response.status === 401) {
      remember(undefined);
      const problem = await response.json().catch(() => ({}));
      return showSignIn(problem.detail ?? 'That token was refused.');
    }
    if (!response.ok) throw new Error(`The server answered ${response.status}.`);
    stats = await response.json();
  } catch (error) {
    $('state').dataset.state = 'reconnecting';
    $('state').textContent = 'reconnecting';
    timer = setTimeout(poll, EVERY_MS);
    return;
  }
  $('signin').hidden = true;
  $('app').hidden = false;
  $('state').dataset.state = 'live';
  $('state').textContent = 'live';
  show(stats);
  timer = setTimeout(poll, EVERY_MS);
}

function show(stats) {
  const now = Date.parse(stats.time) / 1000;
  const delivered = sum(stats.messages.delivered);
  let rates;
  if (previous) {
    const dt = Math.max(0.001, now - previous.now);
    rates = {
      // Every message stored, by clients and by the server's own demos alike: how far the log's head moved.
      published: (stats.store.head - previous.head) / dt,
      delivered: (delivered - previous.delivered) / dt,
      bytes: (stats.sentBytes - previous.sentBytes) / dt,
      byTransport: Object.fromEntries(TRANSPORTS.map(([t]) =>
        [t, ((stats.messages.delivered[t] ?? 0) - (previous.byTransport[t] ?? 0)) / dt])),
    };
  }
  previous = { now, head: stats.store.head, delivered, sentBytes: stats.sentBytes,
    byTransport: { ...stats.messages.delivered } };

  const open = sum(stats.connections);
  $('connections').textContent = open.toLocaleString();
  $('connections-detail').textContent = TRANSPORTS.map(([t, , short]) => `${stats.connections[t] ?? 0} ${short}`)
    .join(' · ');
  $('subscriptions').textContent = stats.subscriptions.toLocaleString();
  $('selectors-count').textContent = `${stats.selectors.length} topics and selectors`;
  $('publish-rate').textContent = rates ? `${rate(rates.published)}/s` : '–';
  $('published-total').textContent = `${stats.messages.published.toLocaleString()} via the API since start`;
  $('deliver-rate').textContent = rates ? `${rate(rates.delivered)}/s` : '–';
  $('delivered-total').textContent = `${delivered.toLocaleString()} since start`;
  $('bytes-rate').textContent = rates ? `${bytes(Math.round(rates.bytes))}/s` : '–';
  $('sent-total').textContent = `${bytes(stats.sentBytes)} since start`;

  $('transports').replaceChildren(...TRANSPORTS.map(([t, name]) => {
    const row = element('tr');
    row.dataset.transport = t;
    row.append(element('td', name), element('td', String(stats.connections[t] ?? 0)),
      element('td', rates ? rate(rates.byTransport[t]) : '–'),
      element('td', (stats.messages.delivered[t] ?? 0).toLocaleString()));
    return row;
  }));

  const append = stats.append ?? {};
  const facts = [
    ['Up for', duration(stats.uptimeSeconds)],
    ['Store', `${stats.store.writable ? 'accepting appends' : 'NOT accepting appends'}`],
    ['Log head', stats.store.head.toLocaleString()],
    ['Epoch', stats.store.epoch],
    ['Append p50 / p99', append.p50Ms === undefined ? '–' : `${append.p50Ms} / ${append.p99Ms} ms`],
    ['Duplicates refused', stats.messages.duplicates.toLocaleString()],
    ['Heap', `${bytes(stats.jvm.heapUsedBytes)} of ${bytes(stats.jvm.heapMaxBytes)}`],
    ['Threads', String(stats.jvm.threads)],
  ];
  $('server').replaceChildren(...facts.flatMap(([k, v]) => [element('dt', k), element('dd', v)]));

  $('topics').replaceChildren(...stats.selectors.map(({ selector, subscriptions }) => {
    const row = element('tr');
    const name = element('td');
    name.append(element('code', selector));
    row.append(name, element('td', String(subscriptions)));
    return row;
  }));
  $('topics-empty').hidden = stats.selectors.length > 0;

  if (rates) plot(now, rates);
}

function plot(now, rates) {
  series[0].push(now);
  series[1].push(Math.max(0, rates.published));
  series[2].push(Math.max(0, rates.delivered));
  while (series[0][0] < now - WINDOW_SECONDS) series.forEach((s) => s.shift());
  if (typeof window.uPlot !== 'function') return;
  const box = $('rates-chart');
  if (!chart) {
    const axis = { stroke: css('--muted'), grid: { stroke: css('--line'), width: 1 }, ticks: { show: false },
      font: '11px system-ui' };
    chart = new window.uPlot({
      width: Math.max(200, box.clientWidth),
      height: 220,
      legend: { live: false },
      scales: {
        x: { time: true, range: (u, min, max) => timeWindow(min, max, WINDOW_SECONDS) },
        y: { range: (u, min, max) => [0, Math.max(5, max * 1.15)] },
      },
      axes: [{ ...axis, space: 80, values: clockTicks }, { ...axis, size: 50 }],
      series: [
        {},
        { label: 'published/s (all sources)', stroke: css('--accent'), width: 2, points: { show: false } },
        { label: 'delivered/s', stroke: css('--live'), width: 2, points: { show: false } },
      ],
    }, series, box);
    new ResizeObserver(() => chart.setSize({ width: Math.max(200, box.clientWidth), height: 220 })).observe(box);
  } else {
    chart.setData(series);
  }
}

$('signin-form').addEventListener('submit', (event) => {
  event.preventDefault();
  remember($('token').value.trim());
  $('token').value = '';
  previous = undefined;
  poll();
});

$('signout').addEventListener('click', () => {
  remember(undefined);
  showSignIn();
});

// The printed link carries the token in the fragment, which no server sees; take it out of the address bar.
function tokenFromLink() {
  const fromLink = /^#token=([^&]+)$/.exec(location.hash);
  if (!fromLink) return false;
  remember(decodeURIComponent(fromLink[1]));
  history.replaceState(null, '', location.pathname);
  previous = undefined;
  return true;
}

window.addEventListener('hashchange', () => {
  if (tokenFromLink()) poll(); // the link opened in a tab that already shows this page
});
tokenFromLink();
try {
  token = token ?? sessionStorage.getItem(KEY) ?? undefined;
} catch {
  // no storage
}
if (token) poll();
else showSignIn();
