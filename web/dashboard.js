// Herald monitoring demo: the simulated plant's meters (GET /api/v1/demo/plant), their readings live on
// meters/+/reading (a latest-value topic: a tab that falls behind gets the newest reading of each meter, not the
// backlog), and alarms on alarms/+: raised and cleared by the plant, acknowledged by whoever watches, with an
// `ack` event every open dashboard receives. Charts are uPlot, served by Herald. Text is set with textContent.
import { subscribe, publish, HeraldError } from '/herald.js';
import { timeWindow, clockTicks, css } from '/charts.js';

const WINDOW_SECONDS = 180;
const HISTORY_PER_METER = 180;
const MAX_HISTORY = 1000; // limits.maxHistory
const ALARM_HISTORY = 500;
const SHOWN_ALARMS = 50;
const LAST_NAME = 'herald-demo-name';

const $ = (id) => document.getElementById(id);
const pad = (n) => String(n).padStart(2, '0');
const hms = (date) => `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;

const meters = new Map(); // id -> {meter, card, elements, times, values, chart}
const alarms = new Map(); // alarm id -> {id, meter, name, value, threshold, unit, raisedAt, clearedAt, acks}
const pending = new Set(); // alarm ids whose acknowledgement is on its way
const tokens = new Map(); // operator name -> token
let redraw = false;
let relist = false;

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function read(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function format(value, meter) {
  if (typeof value !== 'number') return '–';
  const span = meter.max - meter.min;
  const decimals = span >= 500 ? 0 : span >= 50 ? 1 : 2;
  return value.toFixed(decimals);
}

function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

// Meter cards, each with a uPlot chart of the last five minutes and its threshold.

function chartOptions(meter, width) {
  const muted = css('--muted');
  const line = css('--line');
  const accent = css('--accent');
  const axis = { stroke: muted, grid: { stroke: line, width: 1 }, ticks: { show: false }, font: '11px system-ui' };
  return {
    width,
    height: 96,
    padding: [6, 18, 0, 0],
    legend: { show: false },
    cursor: { show: false },
    scales: {
      x: { time: true, range: (u, min, max) => timeWindow(min, max, WINDOW_SECONDS) },
      y: { range: [meter.min, meter.max] },
    },
    axes: [{ ...axis, size: 22, space: 70, values: clockTicks }, { ...axis, size: 38, space: 30 }],
    series: [
      {},
      { stroke: accent, width: 2, fill: `${accent}22`, points: { show: false } },
      { stroke: css('--alarm'), width: 1, dash: [4, 4], points: { show: false } },
    ],
  };
}

function addMeter(meter) {
  const card = element('article', 'card meter');
  card.dataset.meter = meter.id;
  const head = element('div', 'meter-head');
  head.append(element('span', 'meter-name', meter.name), element('span', 'meter-id', meter.id));
  const now = element('div', 'meter-now');
  const value = element('span', 'value', '–');
  const badge = element('span', 'badge', 'normal');
  now.append(value, element('span', 'unit', meter.unit), badge);
  const threshold = element('div', 'threshold', `alarm above ${format(meter.threshold, meter)} ${meter.unit}`);
  const chart = element('div', 'chart');
  card.append(head, now, threshold, chart);
  $('meters').append(card);

  const entry = { meter, card, value, badge, times: [], values: [], chart: undefined };
  if (typeof window.uPlot === 'function') {
    entry.chart = new window.uPlot(chartOptions(meter, Math.max(120, chart.clientWidth)), [[], [], []], chart);
    new ResizeObserver(() => entry.chart.setSize({ width: Math.max(120, chart.clientWidth), height: 96 }))
      .observe(chart);
  }
  meters.set(meter.id, entry);
}

function onReading({ data }) {
  const reading = parseJson(data);
  const entry = reading && meters.get(reading.meter);
  if (!entry || typeof reading.value !== 'number') return;
  const at = Date.parse(reading.time);
  const t = (Number.isNaN(at) ? Date.now() : at) / 1000;
  const last = entry.times.length ? entry.times[entry.times.length - 1] : -Infinity;
  if (t <= last) return; // history and live may overlap by a reading after a reconnect
  entry.times.push(t);
  entry.values.push(reading.value);
  while (entry.times.length && entry.times[0] < t - WINDOW_SECONDS) {
    entry.times.shift();
    entry.values.shift();
  }
  entry.value.textContent = format(reading.value, entry.meter);
  entry.card.dataset.updated = String(t);
  $('last-reading').textContent = `last reading ${hms(new Date(t * 1000))}`;
  scheduleRedraw();
}

function scheduleRedraw() {
  if (redraw) return;
  redraw = true;
  requestAnimationFrame(() => {
    redraw = false;
    for (const entry of meters.values()) {
      if (!entry.chart) continue;
      const threshold = entry.times.map(() => entry.meter.threshold);
      entry.chart.setData([entry.times, entry.values, threshold]);
    }
  });
}

// Alarms: raised and cleared by the plant (the server's own messages, never stamped with a sender), and
// acknowledged by people (stamped by the server with who sent them: {"from", "text": alarm id, "time"}).

function onAlarmEvent({ event, data }) {
  const d = parseJson(data);
  if (!d || typeof d !== 'object') return;
  if (event === 'alarm' || event === 'clear') {
    if ('from' in d || typeof d.id !== 'string') return; // a person cannot raise or clear an alarm
    if (event === 'alarm') {
      const known = alarms.get(d.id);
      alarms.set(d.id, { ...d, raisedAt: d.time, clearedAt: known?.clearedAt, acks: known?.acks ?? [] });
    } else {
      const alarm = alarms.get(d.id);
      if (alarm) {
        alarm.clearedAt = d.time;
        alarm.clearValue = d.value;
        alarm.clearReason = d.reason;
      }
    }
  } else if (event === 'ack') {
    if (typeof d.from !== 'string' || typeof d.text !== 'string') return;
    const alarm = alarms.get(d.text);
    if (alarm && !alarm.acks.some((a) => a.from === d.from)) alarm.acks.push({ from: d.from, time: d.time });
    pending.delete(d.text);
  }
  scheduleRelist();
}

function scheduleRelist() {
  if (relist) return;
  relist = true;
  queueMicrotask(() => {
    relist = false;
    renderAlarms();
  });
}

function renderAlarms() {
  const list = [...alarms.values()].sort((a, b) => String(b.raisedAt).localeCompare(String(a.raisedAt)));
  const active = list.filter((a) => !a.clearedAt);
  const unacked = list.filter((a) => a.acks.length === 0);
  $('active-count').textContent = String(active.length);
  $('active-count').dataset.alarm = String(active.length > 0);
  $('unacked-count').textContent = String(unacked.length);
  $('unacked-count').dataset.alarm = String(unacked.length > 0);
  $('alarms-empty').hidden = list.length > 0;

  for (const entry of meters.values()) {
    const on = active.some((a) => a.meter === entry.meter.id);
    entry.card.dataset.alarm = String(on);
    entry.badge.textContent = on ? 'alarm' : 'normal';
  }
  $('alarms').replaceChildren(...list.slice(0, SHOWN_ALARMS).map(alarmItem));
}

function alarmItem(alarm) {
  const meter = meters.get(alarm.meter)?.meter ?? { min: 0, max: 100 };
  const item = element('li', 'alarm');
  item.dataset.id = alarm.id;
  item.dataset.meter = alarm.meter;
  item.dataset.state = alarm.clearedAt ? 'cleared' : 'active';
  item.dataset.acked = String(alarm.acks.length > 0);
  const title = `${alarm.name ?? alarm.meter} above ${format(alarm.threshold, meter)} ${alarm.unit ?? ''}`;
  item.append(element('span', 'alarm-title', title.trim()),
    element('span', 'pill', alarm.clearedAt ? 'cleared' : 'active'));
  const raised = new Date(alarm.raisedAt);
  let detail = `${alarm.meter} · raised ${hms(raised)} at ${format(alarm.value, meter)} ${alarm.unit ?? ''}`;
  if (alarm.clearedAt) {
    detail += ` · cleared ${hms(new Date(alarm.clearedAt))}`;
    if (alarm.clearReason) detail += ` (${alarm.clearReason})`;
  }
  item.append(element('span', 'alarm-detail', detail));
  if (alarm.acks.length > 0) {
    const who = alarm.acks.map((a) => `${a.from} at ${hms(new Date(a.time))}`).join(', ');
    const ack = element('span', 'alarm-ack', `✓ Acknowledged by ${who}`);
    ack.dataset.acked = 'true';
    item.append(ack);
  } else {
    const button = element('button', 'ack', pending.has(alarm.id) ? 'Acknowledging…' : 'Acknowledge');
    button.type = 'button';
    button.disabled = pending.has(alarm.id);
    button.addEventListener('click', () => acknowledge(alarm));
    item.append(button);
  }
  return item;
}

async function tokenFor(name, fresh = false) {
  if (!fresh && tokens.has(name)) return tokens.get(name);
  const response = await fetch('/api/v1/demo/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: name }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || `The demo backend answered ${response.status}.`);
  tokens.set(name, body.token);
  return body.token;
}

async function acknowledge(alarm) {
  const name = $('operator').value.trim();
  $('ack-error').textContent = '';
  if (!name) {
    $('ack-error').textContent = 'Type your name to acknowledge as.';
    $('operator').focus();
    return;
  }
  try {
    localStorage.setItem(LAST_NAME, name);
  } catch {
    // not remembered
  }
  pending.add(alarm.id);
  renderAlarms();
  const message = { topic: `alarms/${alarm.meter}`, event: 'ack', data: alarm.id };
  try {
    try {
      await publish({ ...message, token: await tokenFor(name) });
    } catch (error) {
      if (!(error instanceof HeraldError && error.status === 401)) throw error;
      await publish({ ...message, token: await tokenFor(name, true) });
    }
    // The ack shows when its event comes back, as it does on every other dashboard.
  } catch (error) {
    pending.delete(alarm.id);
    renderAlarms();
    $('ack-error').textContent = `Not acknowledged: ${error.problem?.detail ?? error.message}`;
  }
}

function showState(element, status, info) {
  element.dataset.state = status;
  element.textContent = status === 'live' && info?.transport === 'longpoll' ? 'live · long polling' : status;
}

async function start() {
  $('operator').value = read(LAST_NAME) ?? '';
  let plant;
  try {
    const response = await fetch('/api/v1/demo/plant', { cache: 'no-store' });
    if (!response.ok) throw new Error(response.status === 404 ? 'The plant does not run on this server '
      + '(demo.plant: false).' : `The server answered ${response.status}.`);
    plant = await response.json();
  } catch (error) {
    $('plant-error').textContent = error.message;
    showState($('state'), 'closed');
    showState($('alarm-state'), 'closed');
    return;
  }
  plant.meters.forEach(addMeter);
  $('meter-count').textContent = String(plant.meters.length);

  subscribe({
    topics: [plant.readings],
    history: Math.min(MAX_HISTORY, plant.meters.length * HISTORY_PER_METER),
    onMessage: onReading,
    onStatus: (status, info) => showState($('state'), status, info),
  });
  subscribe({
    topics: [plant.alarms],
    history: ALARM_HISTORY,
    onMessage: onAlarmEvent,
    onStatus: (status, info) => showState($('alarm-state'), status, info),
  });
}

start();
