// Herald clock demo. One EventSource per topic: SSE data does not say which topic an event came
// from, so a single stream over both topics could not tell clock ticks from demo/hello messages.
// Everything received is rendered with textContent, never innerHTML: message data is untrusted.
'use strict';

(() => {
  const MAX_MESSAGES = 10;
  const MAX_RETRY_MS = 30_000;

  const $ = (id) => document.getElementById(id);
  const pad = (n) => String(n).padStart(2, '0');
  const hms = (date) => `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;

  const origin = `${location.protocol}//${location.host}`;
  $('cmd-stream').textContent = `curl -N '${origin}/api/v1/stream?topic=demo/clock'`;
  $('cmd-publish').textContent = `curl -d topic=demo/hello -d data=hi ${origin}/api/v1/publish`;
  $('zone').textContent = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';

  function showState(element, state) {
    element.textContent = state;
    element.dataset.state = state;
  }

  function showTruncated(topic, event) {
    let detail = 'some messages were dropped';
    let cursor = '';
    try {
      const info = JSON.parse(event.data);
      if (typeof info.detail === 'string' && info.detail) detail = info.detail;
      if (typeof info.cursor === 'string') cursor = info.cursor;
    } catch {
      // A malformed notice still means history was cut; show the generic text.
    }
    const notice = document.createElement('p');
    notice.className = 'notice';
    const text = document.createElement('span');
    text.textContent = `Missed messages on ${topic}: ${detail}` + (cursor ? ` (resumed at ${cursor})` : '');
    const dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.textContent = 'Dismiss';
    dismiss.addEventListener('click', () => notice.remove());
    notice.append(text, dismiss);
    $('notices').append(notice);
  }

  // The browser retries by itself while readyState is CONNECTING. It gives up (CLOSED) after an
  // HTTP error or a response that is not text/event-stream, so then we open a new stream, backing off.
  function subscribe(topic, onMessage, stateElement) {
    const url = `/api/v1/stream?topic=${topic}`;
    let retryMs = 1000;

    const connect = () => {
      const source = new EventSource(url);
      source.onopen = () => {
        retryMs = 1000;
        showState(stateElement, 'live');
      };
      source.onerror = () => {
        showState(stateElement, 'reconnecting');
        if (source.readyState === EventSource.CLOSED) {
          setTimeout(connect, retryMs);
          retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
        }
      };
      source.onmessage = onMessage;
      source.addEventListener('herald.truncated', (event) => showTruncated(topic, event));
    };
    connect();
  }

  let ticks = 0;
  function showTick(event) {
    ticks += 1;
    $('ticks').textContent = String(ticks);
    $('last-id').textContent = event.lastEventId || '(no id)';
    $('time').textContent = event.data;
    const clock = $('clock');
    const at = new Date(event.data);
    if (Number.isNaN(at.getTime())) {
      clock.textContent = '--:--:--';
      clock.removeAttribute('datetime');
    } else {
      clock.textContent = hms(at);
      clock.dateTime = event.data;
    }
  }

  function showMessage(event) {
    const item = document.createElement('li');
    const received = new Date();
    const when = document.createElement('time');
    when.dateTime = received.toISOString();
    when.textContent = hms(received);
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = event.data;
    const id = document.createElement('code');
    id.className = 'id';
    id.textContent = event.lastEventId;
    item.append(when, text, id);

    const list = $('messages');
    list.prepend(item);
    while (list.children.length > MAX_MESSAGES) list.lastElementChild.remove();
    $('messages-empty').hidden = true;
  }

  subscribe('demo/clock', showTick, $('state'));
  subscribe('demo/hello', showMessage, $('hello-state'));
})();
