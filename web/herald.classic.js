/*
 * Herald client for old pages: a classic script (ES5, no modules) that sets window.Herald = {subscribe, publish}.
 * Modern pages and Node use herald.js, which reads SSE with fetch and can sign as an app; this one has only what
 * old browsers have: EventSource, or the event-source-polyfill when the page loaded it first (as
 * window.EventSourcePolyfill: it can send an Authorization header), and long polling over XMLHttpRequest.
 *
 *   <script src="/herald.classic.js"></script>
 *   Herald.subscribe({topics: ['demo/clock'], onMessage: function (m) { ... }});
 *
 * Limits that come from EventSource, and what this script does about them:
 * - It hides the HTTP status of a refused stream. When the browser gives up on a stream (readyState CLOSED),
 *   a HEAD request to the same URL asks the server why: 401 renews the token once (getToken), 401 and 403 end
 *   the subscription, 429 and 503 wait for Retry-After, anything else backs off and tries again.
 * - It dispatches only "message" events to onmessage: name other event types in `events` to receive them.
 * - It never shows the id-only block a stream opens with, so the cursor is known from the first message on.
 * - The bytes a stream opens with fire no event, so "auto" falls back to long polling when no `open` came
 *   within firstByteTimeout: that catches a proxy that holds back the whole response, not one that passes the
 *   headers and buffers the body. herald.js sees the bytes themselves.
 */
(function (global) {
  'use strict';

  var API = '/api/v1';
  var MIN_DELAY_MS = 500;
  var MAX_DELAY_MS = 30000;
  var POLL_SECONDS = 25;
  var POLL_SLACK_MS = 15000;
  var POLL_LIMIT = 500;
  var RENEW_AHEAD_MS = 30000;
  var PROBLEM = 'urn:herald:problem:';

  function subscribe(options) {
    var o = options || {};
    var base = baseUrl(o.url);
    var topics = [].concat(o.topics || []);
    if (topics.length === 0) throw new TypeError('topics: expected a topic or selector, or an array of them');
    var wanted = o.transport || 'auto';
    if (wanted !== 'auto' && wanted !== 'sse' && wanted !== 'longpoll') {
      throw new TypeError('transport: expected auto, sse or longpoll');
    }
    var Source = global.EventSourcePolyfill || global.EventSource;
    if (wanted === 'sse' && !Source) throw new TypeError('transport sse: no EventSource here; load the polyfill');
    var polyfill = !!global.EventSourcePolyfill && Source === global.EventSourcePolyfill;
    var firstByteTimeout = o.firstByteTimeout === undefined ? 5000 : o.firstByteTimeout;
    var events = [].concat(o.events || []);

    var transport = wanted === 'longpoll' || !Source ? 'longpoll' : 'sse';
    var cursor = o.cursor || load(o.persist);
    var token = o.token;
    var closed = false;
    var attempt = 0;
    var renewed = false;
    var sseProven = false;
    var source = null;
    var xhr = null;
    var timer = null;

    function report(status, info) {
      call(o.onStatus, status, info || {});
    }

    function setCursor(id) {
      cursor = id;
      save(o.persist, id);
    }

    function deliver(message) {
      if (!closed) call(o.onMessage, message);
    }

    function stop(info) {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      if (source) source.close();
      if (xhr) xhr.abort();
      source = xhr = null;
      report('closed', info);
    }

    function retryLater(delay, info) {
      if (closed) return;
      info = info || {};
      info.transport = transport;
      info.delay = delay;
      report('reconnecting', info);
      clearTimeout(timer);
      timer = setTimeout(connect, delay);
    }

    // getToken may answer with a promise, a string, or through the callback it is given.
    function renew(next) {
      var settled = false;
      function ok(fresh) {
        if (settled || closed) return;
        settled = true;
        token = fresh;
        next();
      }
      function failed(error) {
        if (settled || closed) return;
        settled = true;
        retryLater(backoff(attempt++), { error: error });
      }
      try {
        var answer = o.getToken(function (error, fresh) {
          if (error) failed(error); else ok(fresh);
        });
        if (answer && typeof answer.then === 'function') answer.then(ok, failed);
        else if (typeof answer === 'string') ok(answer);
      } catch (error) {
        failed(error);
      }
    }

    // Refusals, by status: what renewing fixes, what waiting fixes, and what nothing fixes.
    function refused(status, retryAfterMs, problem) {
      if (closed) return;
      var type = problem && typeof problem.type === 'string' ? problem.type.replace(PROBLEM, '') : undefined;
      if (status === 401 && o.getToken && !renewed && (type === undefined || type === 'expired')) {
        renewed = true;
        renew(connect);
      } else if (status === 429 || status === 503 || status === 408 || status >= 500 || status === 0
          || status === 200) {
        retryLater(Math.max(retryAfterMs || 0, backoff(attempt++)), { problem: problem });
      } else {
        stop({ problem: problem || { status: status } });
      }
    }

    function live() {
      attempt = 0;
      renewed = false;
      report('live', { transport: transport, cursor: cursor });
    }

    function connect() {
      if (closed) return;
      if (o.getToken && (!token || expiresSoon(token))) {
        renew(connect);
      } else if (transport === 'sse') {
        stream();
      } else {
        poll(true);
      }
    }

    function stream() {
      var params = topicParams(topics);
      var headers = {};
      // A new EventSource cannot send Last-Event-ID: the cursor goes in the URL, as the polyfill puts it.
      if (cursor) params.push(['lastEventId', cursor]);
      else if (o.history) params.push(['history', o.history]);
      if (token && polyfill) headers.Authorization = 'Bearer ' + token;
      else if (token) params.push(['access_token', token]);
      var url = endpoint(base, 'stream', params);
      var es = polyfill ? new Source(url, { headers: headers, heartbeatTimeout: 45000 }) : new Source(url);
      var opened = false;
      source = es;

      var fallback = wanted === 'auto' && !sseProven ? setTimeout(function () {
        if (opened || source !== es) return;
        es.close();
        source = null;
        transport = 'longpoll';
        retryLater(0, { reason: 'no open within firstByteTimeout: falling back to long polling' });
      }, firstByteTimeout) : null;

      function onEvent(e) {
        if (closed || source !== es) return;
        if (e.lastEventId) setCursor(e.lastEventId);
        deliver({ id: e.lastEventId, event: e.type, data: e.data });
      }

      es.onopen = function () {
        if (source !== es) return;
        opened = sseProven = true;
        clearTimeout(fallback);
        live();
      };
      es.onmessage = onEvent;
      for (var i = 0; i < events.length; i++) es.addEventListener(events[i], onEvent);
      es.addEventListener('herald.truncated', function (e) {
        if (!closed && source === es) call(o.onTruncated, parseJson(e.data));
      });
      es.addEventListener('herald.token-expired', function () {
        if (source !== es) return;
        es.close();
        source = null;
        if (o.getToken) renew(connect);
        else stop({ problem: { type: PROBLEM + 'expired', detail: 'The token expired and no getToken was given.' } });
      });
      es.onerror = function () {
        if (closed || source !== es) return;
        if (es.readyState !== 2) {
          report('reconnecting', { transport: transport }); // the browser retries by itself, with Last-Event-ID
          return;
        }
        // The browser gave up (an HTTP error or not an event stream): ask the server why, with HEAD.
        es.close();
        source = null;
        clearTimeout(fallback);
        var probeHeaders = {};
        if (token && polyfill) probeHeaders.Authorization = 'Bearer ' + token;
        xhr = request('HEAD', url, probeHeaders, null, 10000, function (status, x) {
          xhr = null;
          refused(status === 200 ? 0 : status, retryAfter(x.getResponseHeader('Retry-After')));
        });
      };
    }

    function poll(first) {
      var params = topicParams(topics);
      if (cursor) params.push(['cursor', cursor]);
      else if (o.history) params.push(['history', o.history]);
      var wait = first ? 0 : POLL_SECONDS;
      params.push(['timeout', wait], ['limit', POLL_LIMIT]);
      var headers = { Accept: 'application/json' };
      if (token) headers.Authorization = 'Bearer ' + token;
      xhr = request('GET', endpoint(base, 'poll', params), headers, null, wait * 1000 + POLL_SLACK_MS,
        function (status, x) {
          xhr = null;
          if (closed) return;
          var body = parseJson(x.responseText);
          if (status !== 200 || !body.messages) {
            refused(status, retryAfter(x.getResponseHeader('Retry-After')), status === 200 ? undefined : body);
            return;
          }
          if (body.truncated) call(o.onTruncated, body.truncated);
          for (var i = 0; i < body.messages.length; i++) {
            var m = body.messages[i];
            setCursor(m.id);
            deliver({ id: m.id, topic: m.topic, event: m.event || 'message', data: m.data, time: m.time });
          }
          if (body.cursor) setCursor(body.cursor);
          if (closed) return;
          if (first) live();
          if (o.getToken && expiresSoon(token)) renew(function () { poll(false); });
          else poll(false);
        });
    }

    report('connecting', { transport: transport });
    connect();
    return {
      close: function () { stop({}); },
      get cursor() { return cursor; },
      get transport() { return transport; }
    };
  }

  /** Publishes one message; calls back (error, {id, topic, duplicate}) and returns a promise where there is one. */
  function publish(options, callback) {
    var o = options || {};
    var body = JSON.stringify({ topic: o.topic, data: o.data, event: o.event, id: o.id });
    var headers = { 'Content-Type': 'application/json' };
    if (o.token) headers.Authorization = 'Bearer ' + o.token;
    function send(resolve, reject) {
      request('POST', baseUrl(o.url) + API + '/publish', headers, body, 30000, function (status, x) {
        var answer = parseJson(x.responseText);
        if (status === 200) {
          if (callback) callback(null, answer);
          if (resolve) resolve(answer);
          return;
        }
        var error = new Error(status + ' ' + (answer.detail || x.statusText || 'network error'));
        error.status = status;
        error.problem = answer;
        error.retryAfter = retryAfter(x.getResponseHeader('Retry-After'));
        if (callback) callback(error);
        if (reject) reject(error);
      });
    }
    if (typeof global.Promise === 'function') return new global.Promise(send);
    send();
    return undefined;
  }

  function request(method, url, headers, body, timeoutMs, done) {
    var x = new XMLHttpRequest();
    x.open(method, url, true);
    for (var name in headers) {
      if (Object.prototype.hasOwnProperty.call(headers, name)) x.setRequestHeader(name, headers[name]);
    }
    x.timeout = timeoutMs;
    x.onreadystatechange = function () {
      if (x.readyState !== 4) return;
      x.onreadystatechange = null;
      done(x.status, x); // 0: network error, timeout or abort
    };
    x.send(body);
    return x;
  }

  // Full jitter: uniformly between 0.5 s and a ceiling that doubles with each failure, up to 30 s.
  function backoff(attempt) {
    return MIN_DELAY_MS + Math.random() * Math.min(MAX_DELAY_MS - MIN_DELAY_MS, MIN_DELAY_MS * Math.pow(2, attempt));
  }

  function retryAfter(value) {
    if (!value) return undefined;
    if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
    var at = Date.parse(value);
    return isNaN(at) ? undefined : Math.max(0, at - new Date().getTime());
  }

  function topicParams(topics) {
    var params = [];
    for (var i = 0; i < topics.length; i++) params.push(['topic', topics[i]]);
    return params;
  }

  function endpoint(base, name, params) {
    var parts = [];
    for (var i = 0; i < params.length; i++) {
      parts.push(params[i][0] + '=' + encodeURIComponent(String(params[i][1])).replace(/%2F/g, '/'));
    }
    return base + API + '/' + name + '?' + parts.join('&');
  }

  function baseUrl(url) {
    if (url === undefined || url === null) url = global.location.protocol + '//' + global.location.host;
    return String(url).replace(/\/+$/, '');
  }

  function expiresSoon(token) {
    try {
      var payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      var exp = JSON.parse(global.atob(payload)).exp;
      return typeof exp === 'number' && exp * 1000 - new Date().getTime() < RENEW_AHEAD_MS;
    } catch (e) {
      return false; // not a JWT with exp: renewed when the server says it expired
    }
  }

  function load(key) {
    try {
      return key ? global.localStorage.getItem(key) || undefined : undefined;
    } catch (e) {
      return undefined;
    }
  }

  function save(key, value) {
    try {
      if (key) global.localStorage.setItem(key, value);
    } catch (e) {
      // Storage full or disabled: the cursor still lives in memory.
    }
  }

  function parseJson(text) {
    try {
      return JSON.parse(text) || {};
    } catch (e) {
      return { detail: text };
    }
  }

  // A listener that throws must not stop the subscription: report it, and go on.
  function call(listener, a, b) {
    if (typeof listener !== 'function') return;
    try {
      listener(a, b);
    } catch (error) {
      setTimeout(function () { throw error; }, 0);
    }
  }

  global.Herald = { subscribe: subscribe, publish: publish };
})(typeof window !== 'undefined' ? window : this);
