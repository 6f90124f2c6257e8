/**
 * The dashboard's browser JavaScript (runs after `SSE_PARSER_SCRIPT`, in the same inline script). Every value from
 * the API reaches the DOM through `textContent` or an attribute, never as HTML: agent ids, kill reasons and labels are
 * written by users. Written without template literals so that it sits in this TypeScript template unescaped.
 */
export const DASHBOARD_SCRIPT = `
'use strict';
(function () {
  var KEY_STORAGE = 'vigil.apiKey';
  var STATUSES = ['healthy', 'degraded', 'unreachable', 'stalled', 'killed', 'stopped'];
  // Most urgent first: silent agents, then stuck ones, then late ones; operator-made states after failures.
  var SEVERITY = { unreachable: 0, stalled: 1, degraded: 2, killed: 3, stopped: 4, healthy: 5 };
  var AGENT_LIMIT = 500;
  var FEED_MAX = 60;
  var FEED_HISTORY = 20;
  var BACKOFF_MIN_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  // The server sends a keepalive every 15 s by default: three missed ones mean a dead connection nobody closed.
  var STREAM_SILENCE_MS = 45000;
  // Last-beat times move without transitions; a slow poll keeps them honest while the stream carries the news.
  var SAFETY_REFRESH_MS = 30000;
  var REFRESH_DEBOUNCE_MS = 150;

  var $ = function (id) { return document.getElementById(id); };
  var state = {
    key: null, generation: 0, agents: [], truncated: false, summary: null, filter: '',
    streamAbort: null, lastEventId: null, backoffMs: BACKOFF_MIN_MS,
    refreshTimer: 0, refreshing: false, refreshAgain: false, safetyTimer: 0, killTarget: null, feedIds: new Set(),
  };

  function UnauthorizedError() { this.name = 'UnauthorizedError'; }
  function ApiError(status, message) { this.name = 'ApiError'; this.status = status; this.message = message; }

  /** Creates an element; text goes in as text, never parsed as HTML. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) for (var name in attrs) {
      var v = attrs[name];
      if (v === null || v === undefined || v === false) continue;
      if (name === 'text') node.textContent = String(v);
      else if (name === 'className') node.className = v;
      else node.setAttribute(name, v === true ? '' : String(v));
    }
    if (children) for (var i = 0; i < children.length; i++) {
      var c = children[i];
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return node;
  }

  function badge(status) { return el('span', { className: 'badge', 'data-status': status, text: status }); }

  function ago(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + ' s ago';
    var m = Math.floor(s / 60);
    if (m < 60) return m + ' min ago';
    var h = Math.floor(m / 60);
    if (h < 48) return h + ' h ' + (m % 60) + ' min ago';
    return Math.floor(h / 24) + ' d ago';
  }

  function relTime(iso) {
    if (!iso) return el('span', { className: 'hint', text: 'never' });
    var t = new Date(iso);
    return el('time', { datetime: iso, title: t.toLocaleString(), 'data-rel': '', text: ago(Date.now() - t.getTime()) });
  }

  function tickTimes() {
    var nodes = document.querySelectorAll('time[data-rel]');
    for (var i = 0; i < nodes.length; i++) {
      nodes[i].textContent = ago(Date.now() - new Date(nodes[i].getAttribute('datetime')).getTime());
    }
  }

  function url(path) { return new URL(path, document.baseURI).href; }

  async function api(path, init) {
    var opts = init || {};
    var headers = { Authorization: 'Bearer ' + state.key, Accept: 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    var res = await fetch(url(path), { method: opts.method || 'GET', headers: headers, cache: 'no-store',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    if (res.status === 401) throw new UnauthorizedError();
    var body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    if (!res.ok) {
      var msg = body && body.error && body.error.message ? body.error.message : 'HTTP ' + res.status;
      throw new ApiError(res.status, msg);
    }
    return body;
  }

  function setConn(kind, text) {
    var c = $('conn');
    c.setAttribute('data-state', kind);
    c.textContent = text;
  }

  var noticeTimer = 0;
  function say(text) {
    $('notice').textContent = text;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(function () { $('notice').textContent = ''; }, 10000);
  }

  // ---- key ---------------------------------------------------------------------------------------------------

  function askForKey(message) {
    stop();
    state.key = null;
    $('app').hidden = true;
    $('change-key').hidden = true;
    $('key-panel').hidden = false;
    $('key-error').textContent = message || '';
    setConn('offline', 'Not connected');
    var input = $('key-input');
    input.value = '';
    input.focus();
  }

  function onUnauthorized() {
    try { localStorage.removeItem(KEY_STORAGE); } catch (e) { /* storage may be disabled */ }
    askForKey('Wrong API key: the server did not accept it. Enter the key again.');
  }

  function useKey(key) {
    state.key = key;
    try { localStorage.setItem(KEY_STORAGE, key); } catch (e) { /* storage may be disabled: key lasts this tab */ }
    $('key-panel').hidden = true;
    $('app').hidden = false;
    $('change-key').hidden = false;
    start();
  }

  // ---- data --------------------------------------------------------------------------------------------------

  function scheduleRefresh(delayMs) {
    clearTimeout(state.refreshTimer);
    state.refreshTimer = setTimeout(refresh, delayMs);
  }

  async function refresh() {
    if (state.key === null) return;
    // One refresh at a time; a transition arriving meanwhile asks for one more, not for a pile.
    if (state.refreshing) { state.refreshAgain = true; return; }
    state.refreshing = true;
    var generation = state.generation;
    try {
      var both = await Promise.all([api('v1/fleet/summary'), api('v1/agents?limit=' + AGENT_LIMIT)]);
      if (generation !== state.generation) return;
      state.summary = both[0];
      state.agents = both[1].items;
      state.truncated = both[1].nextCursor !== null;
      renderSummary();
      renderAgents();
      $('updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
    } catch (err) {
      if (err instanceof UnauthorizedError) { onUnauthorized(); return; }
      if (generation === state.generation) $('updated').textContent = 'Could not refresh: ' + (err.message || err);
    } finally {
      state.refreshing = false;
      clearTimeout(state.safetyTimer);
      if (state.key !== null) state.safetyTimer = setTimeout(refresh, SAFETY_REFRESH_MS);
      if (state.refreshAgain) { state.refreshAgain = false; scheduleRefresh(0); }
    }
  }

  async function loadRecentTransitions(generation) {
    try {
      var page = await api('v1/transitions?limit=' + FEED_HISTORY);
      if (generation !== state.generation) return;
      var items = page.items.slice().reverse();
      for (var i = 0; i < items.length; i++) addFeedItem(items[i], false);
      // The stream replays from here what happened between this read and its start.
      if (page.items.length > 0 && state.lastEventId === null) state.lastEventId = page.items[0].id;
    } catch (err) {
      if (err instanceof UnauthorizedError) onUnauthorized();
    }
  }

  // ---- rendering ---------------------------------------------------------------------------------------------

  function countOf(n) { return el('span', { className: n === 0 ? 'count zero' : 'count', text: n }); }

  function renderSummary() {
    var s = state.summary;
    var list = $('summary');
    list.replaceChildren();
    var cards = [['', 'total', s.total]].concat(STATUSES.map(function (st) { return [st, st, s[st]]; }));
    cards.forEach(function (card) {
      var pressed = state.filter === card[0];
      var b = el('button', { type: 'button', 'data-status': card[0] || null, 'aria-pressed': String(pressed),
        title: card[0] ? 'Show only ' + card[0] + ' agents' : 'Show all agents' }, [
        countOf(card[2]),
        el('span', { className: 'label', text: card[1] }),
      ]);
      b.addEventListener('click', function () { setFilter(pressed ? '' : card[0]); });
      list.appendChild(el('li', null, [b]));
    });
    [['deliverable', s.deliverable, 'Healthy or degraded, so a dispatcher may send them work'],
     ['flapping', s.flapping, 'Restarted more than 3 times in 10 minutes']].forEach(function (card) {
      list.appendChild(el('li', null, [el('div', { className: 'panel info', 'data-status': card[0], title: card[2] }, [
        countOf(card[1]),
        el('span', { className: 'label', text: card[0] }),
      ])]));
    });
    var bad = s.unreachable + s.stalled;
    document.title = (bad > 0 ? '(' + bad + ' down) ' : '') + 'Vigil dashboard';
  }

  function bySeverity(a, b) {
    return (SEVERITY[a.status] - SEVERITY[b.status]) || (Number(b.flapping) - Number(a.flapping)) ||
      (a.statusSince < b.statusSince ? -1 : a.statusSince > b.statusSince ? 1 : 0) ||
      (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0);
  }

  function flagsOf(a) {
    var chips = [];
    if (a.flapping) chips.push(el('span', { className: 'chip warn', text: 'flapping' }));
    if (!a.deliverable) chips.push(el('span', { className: 'chip', title: 'a dispatcher must not send it work', text: 'no new work' }));
    if (a.restarts > 0) chips.push(el('span', { className: 'chip', text: a.restarts + (a.restarts === 1 ? ' restart' : ' restarts') }));
    if (a.progress && a.progress.inFlight > 0) chips.push(el('span', { className: 'chip', text: a.progress.inFlight + ' in flight' }));
    Object.keys(a.labels || {}).sort().forEach(function (k) { chips.push(el('span', { className: 'chip', text: k + ':' + a.labels[k] })); });
    return el('div', { className: 'chips' }, chips);
  }

  function actionFor(a) {
    if (a.status === 'killed' || a.killed) {
      return el('button', { type: 'button', 'data-action': 'resume', 'data-agent': a.agentId, 'aria-label': 'Resume ' + a.agentId, text: 'Resume' });
    }
    return el('button', { type: 'button', className: 'danger', 'data-action': 'kill', 'data-agent': a.agentId, 'aria-label': 'Kill ' + a.agentId, text: 'Kill' });
  }

  function renderAgents() {
    // Keep keyboard focus on the same button across a re-render, so a refresh never throws the operator out.
    var active = document.activeElement;
    var focusKey = active && active.getAttribute && active.getAttribute('data-agent') !== null
      ? active.getAttribute('data-action') + '|' + active.getAttribute('data-agent') : null;
    var rows = state.agents.filter(function (a) { return state.filter === '' || a.status === state.filter; }).sort(bySeverity);
    var tbody = $('agent-rows');
    tbody.replaceChildren();
    rows.forEach(function (a) {
      var meta = [a.host, a.version ? 'v' + a.version : null].filter(Boolean).join(' · ');
      tbody.appendChild(el('tr', { 'data-agent': a.agentId }, [
        el('th', { scope: 'row', className: 'agent' }, [a.agentId, meta ? el('small', { text: meta }) : null]),
        el('td', { className: 'status', 'data-col': 'status', 'data-label': 'Status' }, [el('div', null, [badge(a.status), el('small', { text: a.lastReason })])]),
        el('td', { 'data-label': 'Since' }, [relTime(a.statusSince)]),
        el('td', { 'data-label': 'Last beat' }, [relTime(a.lastHeartbeatAt)]),
        el('td', { 'data-label': 'Flags' }, [flagsOf(a)]),
        el('td', { className: 'actions' }, [actionFor(a)]),
      ]));
    });
    if (rows.length === 0) {
      var what = state.agents.length === 0 ? 'No agents yet. Send a heartbeat (POST /v1/heartbeats) and it shows here.' : 'No ' + state.filter + ' agents.';
      tbody.appendChild(el('tr', null, [el('td', { colspan: '6', className: 'empty', text: what })]));
    }
    var shown = rows.length + ' of ' + state.agents.length + ' agents' + (state.truncated ? ' (the first ' + AGENT_LIMIT + ' only)' : '');
    $('agents-caption').textContent = 'Agents, most urgent first' + (state.filter ? ', ' + state.filter + ' only' : '') + ': ' + shown;
    if (focusKey !== null) {
      var parts = focusKey.split('|');
      var buttons = tbody.querySelectorAll('button[data-agent]');
      for (var i = 0; i < buttons.length; i++) {
        if (buttons[i].getAttribute('data-agent') === parts[1]) { buttons[i].focus(); break; }
      }
    }
  }

  function setFilter(value) {
    state.filter = value;
    $('filter').value = value;
    if (state.summary) renderSummary();
    renderAgents();
  }

  function addFeedItem(t, fresh) {
    if (state.feedIds.has(t.id)) return;
    state.feedIds.add(t.id);
    var when = new Date(t.at);
    var item = el('li', { className: fresh ? 'fresh' : null, 'data-id': t.id, 'data-agent': t.agentId, 'data-to': t.to }, [
      el('div', { className: 'line head' }, [
        el('span', { className: 'who', text: t.agentId }),
        el('time', { datetime: t.at, title: when.toLocaleString(), text: when.toLocaleTimeString() }),
      ]),
      el('div', { className: 'line' }, [badge(t.from), el('span', { className: 'arrow', 'aria-label': 'to', text: '→' }), badge(t.to)]),
      el('div', { className: 'reason', text: t.reason }),
    ]);
    var feed = $('feed');
    feed.insertBefore(item, feed.firstChild);
    $('feed-empty').hidden = true;
    while (feed.children.length > FEED_MAX) {
      var last = feed.lastElementChild;
      state.feedIds.delete(last.getAttribute('data-id'));
      feed.removeChild(last);
    }
  }

  // ---- live stream -------------------------------------------------------------------------------------------

  function sleep(ms, generation) {
    return new Promise(function (resolve) {
      var started = Date.now();
      var timer = setInterval(function () {
        var left = ms - (Date.now() - started);
        if (generation !== state.generation || left <= 0) { clearInterval(timer); resolve(); return; }
        setConn('reconnecting', 'Reconnecting in ' + Math.ceil(left / 1000) + ' s');
      }, 250);
    });
  }

  function onSseEvent(ev) {
    if (ev.id) state.lastEventId = ev.id;
    if (ev.type !== 'transition') return;
    var t;
    try { t = JSON.parse(ev.data); } catch (e) { return; }
    addFeedItem(t, true);
    scheduleRefresh(REFRESH_DEBOUNCE_MS);
  }

  async function streamLoop(generation) {
    while (generation === state.generation) {
      setConn('connecting', 'Connecting…');
      const ctrl = new AbortController();
      state.streamAbort = ctrl;
      let watchdog = 0;
      let retryAfterMs = 0;
      try {
        const headers = { Authorization: 'Bearer ' + state.key, Accept: 'text/event-stream' };
        if (state.lastEventId) headers['Last-Event-ID'] = state.lastEventId;
        const res = await fetch(url('v1/transitions/stream'), { headers: headers, cache: 'no-store', signal: ctrl.signal });
        if (res.status === 401) { if (generation === state.generation) onUnauthorized(); return; }
        if (!res.ok || !res.body) {
          retryAfterMs = 1000 * (Number(res.headers.get('retry-after')) || 0);
          throw new ApiError(res.status, 'stream refused: HTTP ' + res.status);
        }
        setConn('live', 'Live');
        state.backoffMs = BACKOFF_MIN_MS;
        // Whatever changed while we were away: one refresh now, then the stream tells us the rest.
        scheduleRefresh(0);
        const parser = createSseParser(onSseEvent);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        const arm = function () { clearTimeout(watchdog); watchdog = setTimeout(function () { ctrl.abort(); }, STREAM_SILENCE_MS); };
        arm();
        for (;;) {
          const chunk = await reader.read();
          if (chunk.done) break;
          arm();
          parser.push(chunk.value);
        }
      } catch (err) {
        // Network errors, aborts and refusals all end in the same place: wait, then try again.
      } finally {
        clearTimeout(watchdog);
      }
      if (generation !== state.generation) return;
      const delay = Math.max(retryAfterMs, Math.round(state.backoffMs * (0.8 + Math.random() * 0.4)));
      state.backoffMs = Math.min(BACKOFF_MAX_MS, state.backoffMs * 2);
      setConn('reconnecting', 'Reconnecting in ' + Math.ceil(delay / 1000) + ' s');
      await sleep(delay, generation);
    }
  }

  function start() {
    state.generation++;
    var generation = state.generation;
    state.lastEventId = null;
    state.feedIds.clear();
    $('feed').replaceChildren();
    $('feed-empty').hidden = false;
    refresh();
    loadRecentTransitions(generation).then(function () {
      if (generation === state.generation) streamLoop(generation);
    });
  }

  function stop() {
    state.generation++;
    if (state.streamAbort) state.streamAbort.abort();
    state.streamAbort = null;
    clearTimeout(state.refreshTimer);
    clearTimeout(state.safetyTimer);
    state.backoffMs = BACKOFF_MIN_MS;
  }

  // ---- control -----------------------------------------------------------------------------------------------

  function openKill(agentId) {
    state.killTarget = agentId;
    $('kill-agent').textContent = agentId;
    $('kill-reason').value = '';
    $('kill-error').textContent = '';
    $('kill-dialog').showModal();
    $('kill-reason').focus();
  }

  async function submitKill(ev) {
    ev.preventDefault();
    var agentId = state.killTarget;
    var reason = $('kill-reason').value.trim();
    if (!reason) { $('kill-error').textContent = 'Say why: the reason goes into the transition and the audit trail.'; return; }
    $('kill-submit').disabled = true;
    try {
      await api('v1/agents/' + encodeURIComponent(agentId) + '/kill', { method: 'POST', body: { reason: reason, by: 'dashboard' } });
      $('kill-dialog').close();
      say('Kill of ' + agentId + ' sent; it takes effect at the next window.');
      scheduleRefresh(1000);
    } catch (err) {
      if (err instanceof UnauthorizedError) { $('kill-dialog').close(); onUnauthorized(); return; }
      $('kill-error').textContent = 'Could not kill ' + agentId + ': ' + (err.message || err);
    } finally {
      $('kill-submit').disabled = false;
    }
  }

  async function resume(agentId, button) {
    button.disabled = true;
    try {
      await api('v1/agents/' + encodeURIComponent(agentId) + '/resume', { method: 'POST', body: { by: 'dashboard' } });
      say('Resume of ' + agentId + ' sent; it takes the status its heartbeats justify at the next window.');
      scheduleRefresh(1000);
    } catch (err) {
      if (err instanceof UnauthorizedError) { onUnauthorized(); return; }
      say('Could not resume ' + agentId + ': ' + (err.message || err));
    } finally {
      button.disabled = false;
    }
  }

  // ---- wiring ------------------------------------------------------------------------------------------------

  $('key-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var key = $('key-input').value.trim();
    if (!key) { $('key-error').textContent = 'Enter the API key.'; return; }
    useKey(key);
  });
  $('change-key').addEventListener('click', function () {
    try { localStorage.removeItem(KEY_STORAGE); } catch (e) { /* storage may be disabled */ }
    askForKey('');
  });
  $('filter').addEventListener('change', function () { setFilter($('filter').value); });
  $('agent-rows').addEventListener('click', function (ev) {
    var button = ev.target.closest('button[data-action]');
    if (!button) return;
    var agentId = button.getAttribute('data-agent');
    if (button.getAttribute('data-action') === 'kill') openKill(agentId);
    else resume(agentId, button);
  });
  $('kill-form').addEventListener('submit', submitKill);
  $('kill-cancel').addEventListener('click', function () { $('kill-dialog').close(); });
  document.addEventListener('visibilitychange', function () { if (!document.hidden && state.key !== null) scheduleRefresh(0); });
  setInterval(tickTimes, 1000);

  var stored = null;
  try { stored = localStorage.getItem(KEY_STORAGE); } catch (e) { stored = null; }
  if (stored) useKey(stored); else askForKey('');
})();
`;
