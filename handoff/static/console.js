/* The counsellor console (protocol: docs/HANDOFF.md, "Console WebSocket"; guide: docs/CONSOLE.md).
 * Plain ES2017, no dependencies, no build step. Everything lives in this page's memory:
 * nothing is written to localStorage, sessionStorage or cookies. Text from the network is
 * only ever inserted with textContent.
 *
 * data-testid hooks (stable, for browser tests):
 *   connection-status    the connection line; data-state = connecting | open | reconnecting | ended
 *                        (ended: the server closed with 4401, the sign-in is over; no retry)
 *   reconnect-now        button shown while waiting to reconnect; signin-again link when ended
 *   health               queue health bar; its items carry data-field = waiting | high-risk-waiting |
 *                        longest-wait | counsellors-online | counsellors-available | on-duty
 *   presence             presence select (available | busy | away); presence-error next to it
 *   alert                one alert banner; data-kind = escalated | returned | left | imminent | high_risk | info,
 *                        data-conversation-id; buttons alert-show, alert-dismiss
 *   queue-waiting, queue-human, queue-left   the three queue lists
 *   queue-entry          one entry; data-conversation-id, data-state (queued | human | left),
 *                        data-risk, data-escalated, data-mine, data-highlight
 *     risk, escalated, wait, reason, reason-codes, channel, language, claimed-by, left-notice,
 *     claim (queued entries only), open (entries I may open), entry-error
 *   conversation-tab     one tab; data-conversation-id, aria-selected, data-unread, data-risk
 *   conversation         a conversation pane; data-conversation-id, data-state, data-readonly
 *     conversation-risk, left-banner, readonly-banner, action-error
 *     release, hand-back, close-outcome, close, confirm, confirm-cancel, tab-hide
 *     transcript         the transcript list (role=log)
 *     transcript-message one message; data-from = user | bot | counsellor | system, data-seq,
 *                        data-pending = "true" while sending, data-failed = "true" if refused;
 *                        reply-restore, reply-dismiss on a refused one
 *     note-list, note (one private note; data-pending), note-box, note-add, note-error
 *     canned-select, reply-box, reply-counter, reply-send, reply-error
 */
(function () {
  "use strict";

  var root = document.getElementById("console");
  if (!root) return;

  var WS_PATH = root.getAttribute("data-ws-path") || "/staff/console/ws";
  var MAX_REPLY = 2000;
  var MAX_NOTE = 2000;
  var TYPING_THROTTLE_MS = 2000;
  var TYPING_IDLE_MS = 3000;
  var PING_MS = 20000;
  var DEAD_MS = 50000;
  var MAX_ALERTS = 6;

  var RISK_ORDER = { imminent: 0, high: 1, elevated: 2, none: 3 };
  var RISK_TEXT = { imminent: "Imminent", high: "High", elevated: "Elevated", none: "None" };
  var RISK_LONG = { imminent: "Imminent risk", high: "High risk", elevated: "Elevated risk", none: "No risk flagged" };
  var CHANNEL_TEXT = { web: "Web chat", telegram: "Telegram" };
  var LANGUAGE_TEXT = { vi: "Vietnamese", en: "English" };
  var REASON_TEXT = {
    user_request: "Asked for a person",
    lap_screen: "Danger screening (LAP) positive",
    risk_high: "High risk detected",
    risk_imminent: "Imminent risk detected"
  };
  var OUTCOME_TEXT = {
    resolved: "Resolved",
    referred: "Referred to a service",
    no_response: "No response from the person",
    duplicate: "Duplicate",
    other: "Other"
  };
  var SYSTEM_OUTCOMES = { left: true, handed_back: true };
  var FROM_TEXT = { user: "Person", bot: "Bot", counsellor: "Counsellor", system: "Automatic message" };
  var NOT_CONNECTED = "Not connected right now. Wait for the connection to come back, then try again.";
  var LOST = "The connection dropped before this was confirmed. Check, and try again if needed.";

  // ---- state (memory only) ----
  var me = { id: null, username: root.getAttribute("data-username") || "", role: root.getAttribute("data-role") || "counsellor" };
  var cap = null;
  var outcomes = ["resolved", "referred", "no_response", "duplicate", "other"];
  var canned = {};
  var entries = new Map();          // conversation_id → Entry (as sent by the server)
  var offsetMs = 0;                 // server clock − this clock
  var health = null, healthAt = 0;
  var convs = new Map();            // conversation_id → open tab state (see makeConv)
  var tabOrder = [];
  var selected = null;
  var outbox = new Map();           // ref → unacknowledged reply (resent with the same ref)
  var pending = new Map();          // ref → {frame, ok(f), error(text, f)} for other commands
  var alerts = [];                  // {kind, id, el}
  var highlighted = new Set();
  var imminentSeen = new Set();
  var selfActed = new Set();        // conversations I just released / handed back / closed
  var wantedPresence = null;
  var firstSnapshot = true;
  var baseTitle = document.title || "Console";
  var refPrefix = randomHex(6);
  var refCounter = 0;

  var ws = null, ready = false, attempt = 0, reconnectAt = 0, reconnectTimer = null;
  var lastFrameAt = 0, failures = 0, ended = false;

  // ---- small helpers ----
  function $(id) { return document.getElementById(id); }

  function randomHex(bytes) {
    var a = new Uint8Array(bytes);
    (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function newRef() { refCounter += 1; return "c" + refPrefix + "-" + refCounter; }

  /* el("button", {class: "x", "data-testid": "claim", type: "button"}, ["text", child]) */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "text") node.textContent = v;
        else if (k === "hidden") node.hidden = true;
        else node.setAttribute(k, v === true ? "" : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }

  function shortId(id) { return "#" + String(id).slice(0, 8); }

  function parseTime(iso) {
    if (!iso) return NaN;
    var s = String(iso).replace(/(\.\d{3})\d+/, "$1");
    if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s += "Z";   // naive ISO: the server's UTC
    return Date.parse(s);
  }

  function serverNow() { return Date.now() + offsetMs; }

  function duration(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    if (h > 0) return h + " h " + (m < 10 ? "0" : "") + m + " min";
    return m + ":" + (r < 10 ? "0" : "") + r;
  }

  function since(iso) {
    var t = parseTime(iso);
    return isNaN(t) ? null : (serverNow() - t) / 1000;
  }

  function clock(iso) {
    var t = parseTime(iso);
    if (isNaN(t)) return "";
    var d = new Date(t);
    return (d.getHours() < 10 ? "0" : "") + d.getHours() + ":" + (d.getMinutes() < 10 ? "0" : "") + d.getMinutes();
  }

  function riskOf(entry) { return entry && RISK_ORDER.hasOwnProperty(entry.risk) ? entry.risk : "none"; }
  function oversight() { return me.role === "supervisor" || me.role === "administrator"; }
  function reasonText(code) { return REASON_TEXT[code] || String(code || "").replace(/_/g, " "); }
  function outcomeText(code) { return OUTCOME_TEXT[code] || String(code).replace(/_/g, " "); }

  function plainError(f, context) {
    var code = f && f.code;
    if (code === "not_found") {
      if (context === "claim") return "Could not claim: someone else claimed it first, or it is no longer waiting.";
      return "This conversation is not available to you. It may have ended, or another counsellor has it.";
    }
    if (f && f.message) return String(f.message);
    return "That did not work" + (code ? " (" + code + ")" : "") + ". Try again.";
  }

  // ---- sending ----
  function isOpen() { return ws && ready && ws.readyState === 1; }

  function rawSend(frame) {
    try { ws.send(JSON.stringify(frame)); return true; } catch (e) { return false; }
  }

  /* A command with its own ref; handlers.ok / handlers.error(text, frame) get the answer. */
  function command(frame, handlers) {
    handlers = handlers || {};
    frame.ref = newRef();
    if (!isOpen()) {
      if (handlers.error) handlers.error(NOT_CONNECTED, null);
      return false;
    }
    if (!handlers.silent) pending.set(frame.ref, { frame: frame, ok: handlers.ok, error: handlers.error });
    if (!rawSend(frame)) {
      pending.delete(frame.ref);
      if (handlers.error) handlers.error(NOT_CONNECTED, null);
      return false;
    }
    return true;
  }

  // ---- connection ----
  var connEl = $("connection"), connText = $("connection-text"), reconnectBtn = $("reconnect-now");

  function showConnection() {
    var stateName, text;
    if (ended) {
      stateName = "ended";
      text = "Your sign-in has ended.";
      if (outbox.size) text += " " + outbox.size + " repl" + (outbox.size === 1 ? "y was" : "ies were") + " not sent.";
    } else if (isOpen()) {
      stateName = "open";
      text = "Connected";
    } else if (attempt === 0 && firstSnapshot) {
      stateName = "connecting";
      text = "Connecting…";
    } else {
      stateName = "reconnecting";
      var wait = Math.ceil((reconnectAt - Date.now()) / 1000);
      text = reconnectTimer && wait > 0
        ? "Connection lost. Reconnecting in " + wait + " s…"
        : "Connection lost. Reconnecting…";
      if (outbox.size) text += " " + outbox.size + " repl" + (outbox.size === 1 ? "y" : "ies") + " waiting to send.";
      if (failures >= 4) text += " Still failing? Reload the page.";
    }
    if (connEl.getAttribute("data-state") !== stateName) {
      connEl.setAttribute("data-state", stateName);
      // announced once per change; the countdown itself is not read out every second
      setText($("connection-live"), stateName === "open" ? "Connected." : stateName === "reconnecting" ? "Connection lost. Reconnecting."
        : stateName === "ended" ? "Your sign-in has ended. Sign in again to continue." : "");
    }
    $("signin-again").hidden = stateName !== "ended";
    setText(connText, text);
    reconnectBtn.hidden = !(stateName === "reconnecting" && reconnectTimer);
  }

  function connect() {
    reconnectTimer = null;
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + WS_PATH;
    var sock;
    try { sock = new WebSocket(url); } catch (e) { scheduleReconnect(); return; }
    ws = sock;
    showConnection();
    sock.onopen = function () { lastFrameAt = Date.now(); };
    sock.onmessage = function (ev) {
      if (sock !== ws) return;
      lastFrameAt = Date.now();
      var f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      if (f && typeof f === "object") {
        try { handle(f); } catch (e) { if (window.console) window.console.warn("console: frame failed", f && f.type, e); }
      }
    };
    sock.onerror = function () { /* onclose follows */ };
    sock.onclose = function (ev) {
      if (sock !== ws) return;
      ws = null;
      if (ev.code === 4401) ended = true;   // signed out, expired or disabled: no point retrying
      disconnected();
      if (!ended) scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    var delay = Math.min(10000, 1000 * Math.pow(2, attempt));
    attempt += 1;
    failures += 1;
    reconnectAt = Date.now() + delay;
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, delay);
    showConnection();
  }

  reconnectBtn.addEventListener("click", function () {
    if (!reconnectTimer) return;
    clearTimeout(reconnectTimer);
    connect();
  });

  function disconnected() {
    ready = false;
    presenceSelect.disabled = true;
    var lost = Array.from(pending.values());
    pending.clear();
    lost.forEach(function (p) { if (p.error) p.error(LOST, null); });
    convs.forEach(function (c) {
      c.opened = false;
      c.typingOn = false;
      clearTimeout(c.idleTimer);
    });
    convs.forEach(updatePane);
    showConnection();
  }

  setInterval(function () {
    if (ws && ws.readyState === 1) {
      if (Date.now() - lastFrameAt > DEAD_MS) {
        // silent for too long: give up on this socket now (a close handshake can take minutes)
        var dead = ws;
        ws = null;
        try { dead.close(); } catch (e) { /* ignore */ }
        disconnected();
        scheduleReconnect();
        return;
      }
      if (ready) rawSend({ type: "ping", ref: newRef() });
    }
  }, PING_MS);

  // ---- frames ----
  function handle(f) {
    switch (f.type) {
      case "hello": onHello(f); break;
      case "snapshot": onSnapshot(f); break;
      case "entry": if (f.entry) { upsertEntry(f.entry); renderQueue(); refreshTabs(); } break;
      case "removed": onRemoved(f.conversation_id); break;
      case "health": setHealth(f.health); break;
      case "transcript": onTranscript(f); break;
      case "message": onMessage(f); break;
      case "note": onNote(f); break;
      case "alert": onAlert(f); break;
      case "ok": onOk(f); break;
      case "error": onError(f); break;
      default: break;   // pong and anything new
    }
  }

  function onHello(f) {
    if (f.me) {
      me.id = f.me.id || me.id;
      me.username = f.me.username || me.username;
      me.role = f.me.role || me.role;
    }
    root.setAttribute("data-role", me.role);
    $("mine-heading").firstChild.nodeValue = oversight() ? "Conversations " : "My conversations ";
    cap = typeof f.cap === "number" ? f.cap : null;
    if (Array.isArray(f.outcomes) && f.outcomes.length) outcomes = f.outcomes.filter(function (o) { return !SYSTEM_OUTCOMES[o]; });
    canned = f.canned && typeof f.canned === "object" ? f.canned : {};
    attempt = 0;
    failures = 0;
    if (f.presence) presenceSelect.value = f.presence;
    presenceShown = presenceSelect.value;
    convs.forEach(function (c) { fillOutcomes(c); fillCanned(c); });
  }

  function onSnapshot(f) {
    var fresh = new Map();
    (f.entries || []).forEach(function (e) { if (e && e.conversation_id) fresh.set(e.conversation_id, e); });
    Array.from(entries.keys()).forEach(function (id) { if (!fresh.has(id)) entries.delete(id); });
    fresh.forEach(function (e) { upsertEntry(e); });
    if (f.health) setHealth(f.health);
    ready = true;
    presenceSelect.disabled = false;
    // convs whose entry is gone ended while we were away
    Array.from(convs.keys()).forEach(function (id) {
      if (!entries.has(id)) dropConv(id, "Conversation " + shortId(id) + " is no longer in the queue (handed back or closed).");
    });
    renderQueue();
    refreshTabs();
    if (wantedPresence && wantedPresence !== presenceSelect.value) sendPresence(wantedPresence);
    // re-open every conversation opened before, from the last seq we hold
    convs.forEach(function (c) { if (c.everOpened || c.id === selected) openConv(c); });
    // replies not yet acknowledged: the same frame, the same ref
    outbox.forEach(function (item) { if (!item.failed) rawSend(item.frame); });
    if (firstSnapshot && !selected) {
      var mine = tabOrder.filter(function (id) { var e = entries.get(id); return e && e.mine; });
      if (mine.length) selectConv(mine[0], false);
    }
    firstSnapshot = false;
    showConnection();
    updateTitle();
  }

  function upsertEntry(e) {
    var id = e.conversation_id;
    if (!id) return;
    if (e.state === "queued" && typeof e.waited_seconds === "number") {
      var q = parseTime(e.queued_at);
      if (!isNaN(q)) offsetMs = q + e.waited_seconds * 1000 - Date.now();
    }
    var before = entries.get(id);
    entries.set(id, e);
    var risk = riskOf(e);
    if (risk === "imminent" && e.state === "queued" && !imminentSeen.has(id)) {
      imminentSeen.add(id);
      highlighted.add(id);
      addAlert("imminent", id, "Imminent risk: " + shortId(id) + " (" + (CHANNEL_TEXT[e.channel] || e.channel) + ") is waiting in the queue.");
      // the server's "high_risk" alert of this entry says less: the imminent one replaces it
      alerts.filter(function (a) { return a.id === id && a.kind === "high_risk"; }).forEach(removeAlert);
    }
    if (risk !== "imminent") imminentSeen.delete(id);
    if (e.mine && e.state === "human" && !convs.has(id)) ensureConv(id);
    var c = convs.get(id);
    if (c) {
      if (!e.mine && !oversight() && e.state !== "left") {
        var lost = before && before.mine && !selfActed.has(id) && !alerts.some(function (a) { return a.id === id && a.kind === "returned"; });
        dropConv(id, lost ? "Conversation " + shortId(id) + " is no longer assigned to you." : null);
      } else {
        if (e.state === "left") typingOff(c);
        updatePane(c);
      }
    }
    if (before && before.state === "queued" && e.state !== "queued") {
      highlighted.delete(id);
      alerts.filter(function (a) { return a.id === id && (a.kind === "imminent" || a.kind === "high_risk" || a.kind === "escalated"); }).forEach(removeAlert);
    }
    if (!e.mine) selfActed.delete(id);
  }

  function onRemoved(id) {
    if (!id) return;
    entries.delete(id);
    highlighted.delete(id);
    imminentSeen.delete(id);
    // nobody is waiting any more: "waiting in the queue" banners of it are stale
    alerts.filter(function (a) { return a.id === id && (a.kind === "imminent" || a.kind === "high_risk" || a.kind === "escalated"); }).forEach(removeAlert);
    if (convs.has(id)) {
      dropConv(id, selfActed.has(id) ? null : "Conversation " + shortId(id) + " has left the queue view (handed back or closed).");
    }
    selfActed.delete(id);
    renderQueue();
    refreshTabs();
  }

  function onTranscript(f) {
    var c = convs.get(f.conversation_id);
    if (!c) return;
    c.loaded = true;
    c.loadError = null;
    if (c.openRef) { pending.delete(c.openRef); c.openRef = null; }
    (f.notes || []).forEach(function (n) { mergeNote(c, n); });
    c.transcript.setAttribute("aria-busy", "true");
    addMessages(c, f.messages || [], true);
    renderNotes(c);
    c.transcript.setAttribute("aria-busy", "false");
  }

  function onMessage(f) {
    var c = convs.get(f.conversation_id);
    if (!c || !f.message) return;
    if (!addMessages(c, [f.message], false)) return;
    if (f.message.from === "user") {
      var visible = selected === c.id && !document.hidden;
      if (!visible) {
        c.unread += 1;
        refreshTabs();
        updateTitle();
        announce("New message in " + shortId(c.id) + ".");
      }
    }
  }

  function onNote(f) {
    var c = convs.get(f.conversation_id);
    if (!c || !f.note) return;
    // the broadcast of one's own note can come before its confirmation: show it once
    if (f.note.by === me.username) {
      var i = c.pendingNotes.findIndex(function (p) { return p.text === f.note.text; });
      if (i >= 0) c.pendingNotes.splice(i, 1);
    }
    mergeNote(c, f.note);
    renderNotes(c);
  }

  function onAlert(f) {
    var id = f.conversation_id;
    var e = entries.get(id);
    var label = shortId(id) + (e ? " (" + RISK_LONG[riskOf(e)] + ")" : "");
    var text;
    if (f.kind === "high_risk") {
      // someone at high or imminent risk joined the queue; for imminent, upsertEntry has
      // already shown its own banner: one banner per person, and none once claimed
      if (!e || e.state !== "queued" || riskOf(e) === "imminent") return;
      text = "High risk: " + shortId(id) + " (" + (CHANNEL_TEXT[e.channel] || e.channel) + ") is waiting in the queue.";
    } else if (f.kind === "escalated") text = "Escalated: " + label + " has waited too long without a counsellor.";
    else if (f.kind === "returned") text = "Back in the queue: " + label + " waited too long for a reply, so it returned to the queue.";
    else if (f.kind === "left") text = label + " left — do not contact.";
    else text = "Attention: " + label + ".";
    alerts.filter(function (a) { return a.id === id && a.kind === "info"; }).forEach(removeAlert);
    addAlert(f.kind || "info", id, text);
    if (id) highlighted.add(id);
    renderQueue();
  }

  function onOk(f) {
    var item = outbox.get(f.ref);
    if (item) {
      outbox.delete(f.ref);
      var c = convs.get(item.conversation_id);
      if (c) {
        if (typeof f.seq === "number") {
          addMessages(c, [{ seq: f.seq, from: "counsellor", text: item.text, at: f.at || new Date(serverNow()).toISOString() }], false);
        } else if (!item.echoed) {
          c.unsequenced.push({ text: item.text, at: new Date(serverNow()).toISOString() });
        }
        renderLocal(c);
      }
      showConnection();
      return;
    }
    var p = pending.get(f.ref);
    if (p) { pending.delete(f.ref); if (p.ok) p.ok(f); }
  }

  function onError(f) {
    var item = outbox.get(f.ref);
    if (item) {
      outbox.delete(f.ref);
      item.failed = plainError(f, "reply");
      var c = convs.get(item.conversation_id);
      if (c) { c.failedItems.push(item); renderLocal(c); }
      showConnection();
      return;
    }
    var p = pending.get(f.ref);
    if (p) {
      pending.delete(f.ref);
      if (p.error) p.error(plainError(f, p.frame.type), f);
      return;
    }
    if (f.ref && /^c/.test(f.ref)) return;     // answer to a command we already gave up on
    addAlert("info", f.conversation_id || null, plainError(f, null));
  }

  // ---- health ----
  var healthEl = $("health");
  var healthFields = null;

  function setHealth(h) {
    if (!h) return;
    health = h;
    healthAt = Date.now();
    renderHealth();
  }

  function healthItem(field, label) {
    var value = el("span", { class: "health-value" });
    var item = el("span", { class: "health-item", "data-field": field }, [el("span", { class: "health-label", text: label }), " ", value]);
    return { item: item, value: value };
  }

  function renderHealth() {
    if (!health) return;
    if (!healthFields) {
      healthEl.textContent = "";
      healthFields = {
        duty: healthItem("on-duty", ""),
        waiting: healthItem("waiting", "Waiting"),
        high: healthItem("high-risk-waiting", "High risk waiting"),
        longest: healthItem("longest-wait", "Longest wait"),
        online: healthItem("counsellors-online", "Counsellors online"),
        available: healthItem("counsellors-available", "Available")
      };
      ["duty", "waiting", "high", "longest", "online", "available"].forEach(function (k) { healthEl.appendChild(healthFields[k].item); });
    }
    var f = healthFields;
    setText(f.duty.value, health.on_duty ? "On duty" : "Off duty — people are told nobody is available now");
    f.duty.item.setAttribute("data-on-duty", health.on_duty ? "true" : "false");
    setText(f.waiting.value, String(health.waiting || 0));
    setText(f.high.value, String(health.high_risk_waiting || 0));
    f.high.item.setAttribute("data-alarm", health.high_risk_waiting > 0 ? "true" : "false");
    var longest = health.longest_wait_seconds;
    if (typeof longest === "number" && health.waiting > 0) longest += (Date.now() - healthAt) / 1000;
    setText(f.longest.value, typeof longest === "number" && health.waiting > 0 ? duration(longest) : "—");
    setText(f.online.value, String(health.counsellors_online || 0));
    setText(f.available.value, String(health.counsellors_available || 0));
  }

  // ---- queue ----
  var lists = { queued: $("queue-waiting"), human: $("queue-human"), left: $("queue-left") };
  var entryEls = new Map();

  function sortEntries(a, b) {
    var r = RISK_ORDER[riskOf(a)] - RISK_ORDER[riskOf(b)];
    if (r) return r;
    var qa = parseTime(a.queued_at), qb = parseTime(b.queued_at);
    if (isNaN(qa)) qa = Infinity;
    if (isNaN(qb)) qb = Infinity;
    return qa - qb || (a.conversation_id < b.conversation_id ? -1 : 1);
  }

  function groupOf(e) { return e.state === "left" ? "left" : e.state === "human" ? "human" : "queued"; }

  function mayOpen(e) { return e.mine || oversight(); }

  function makeEntryEl(id) {
    var x = {};
    x.risk = el("span", { class: "risk", "data-testid": "risk" });
    x.escalated = el("span", { class: "badge badge-escalated", "data-testid": "escalated", text: "Escalated", hidden: true });
    x.wait = el("span", { class: "wait", "data-testid": "wait" });
    x.reason = el("span", { class: "reason", "data-testid": "reason" });
    x.codes = el("span", { class: "codes", "data-testid": "reason-codes" });
    x.channel = el("span", { "data-testid": "channel" });
    x.language = el("span", { "data-testid": "language" });
    x.claimed = el("p", { class: "claimed", "data-testid": "claimed-by", hidden: true });
    x.left = el("p", { class: "left-notice", "data-testid": "left-notice", text: "Left — do not contact", hidden: true });
    x.claim = el("button", { type: "button", class: "primary", "data-testid": "claim", text: "Claim" });
    x.open = el("button", { type: "button", "data-testid": "open", text: "Open" });
    x.error = el("p", { class: "inline-error", "data-testid": "entry-error", role: "alert" });
    x.li = el("li", { class: "entry", "data-testid": "queue-entry", "data-conversation-id": id, tabindex: "-1" }, [
      el("div", { class: "entry-top" }, [x.risk, x.escalated, x.wait]),
      el("p", { class: "entry-reason" }, [x.reason, x.codes]),
      x.claimed,
      x.left,
      el("div", { class: "entry-bottom" }, [
        el("p", { class: "entry-meta" }, [el("span", { class: "entry-id", text: shortId(id) }), " · ", x.channel, " · ", x.language]),
        el("div", { class: "entry-actions" }, [x.claim, x.open])
      ]),
      x.error
    ]);
    x.claim.addEventListener("click", function () { claim(id, x); });
    x.open.addEventListener("click", function () {
      var e = entries.get(id);
      if (!e) return;
      highlighted.delete(id);
      ensureConv(id);
      selectConv(id, true);
      renderQueue();
    });
    return x;
  }

  function claim(id, x) {
    setText(x.error, "");
    x.claim.disabled = true;
    setText(x.claim, "Claiming…");
    command({ type: "claim", conversation_id: id }, {
      ok: function () {
        x.claim.disabled = false;
        setText(x.claim, "Claim");
        highlighted.delete(id);
        ensureConv(id);
        selectConv(id, true);
        renderQueue();
      },
      error: function (text) {
        x.claim.disabled = false;
        setText(x.claim, "Claim");
        setText(x.error, text);
      }
    });
  }

  function updateEntryEl(x, e) {
    var risk = riskOf(e);
    var id = e.conversation_id;
    x.li.setAttribute("data-state", e.state);
    x.li.setAttribute("data-risk", risk);
    x.li.setAttribute("data-escalated", e.escalated ? "true" : "false");
    x.li.setAttribute("data-mine", e.mine ? "true" : "false");
    x.li.setAttribute("data-highlight", highlighted.has(id) ? "true" : "false");
    x.li.className = "entry entry-" + risk + (e.state === "left" ? " entry-left" : "");
    x.risk.className = "risk risk-" + risk;
    setText(x.risk, RISK_LONG[risk]);
    x.escalated.hidden = !e.escalated;
    setText(x.reason, reasonText(e.reason));
    var codes = (e.reasons || []).join(", ");
    setText(x.codes, codes ? " — " + codes : "");
    x.codes.hidden = !codes;
    setText(x.channel, CHANNEL_TEXT[e.channel] || String(e.channel || "?"));
    setText(x.language, LANGUAGE_TEXT[e.language] || String(e.language || "?"));
    var who = e.claimed_by ? (e.mine ? "you" : (e.claimed_by.username || "a counsellor")) : null;
    x.claimed.hidden = !who || e.state === "left";
    setText(x.claimed, who ? "Claimed by " + who : "");
    x.left.hidden = e.state !== "left";
    x.claim.hidden = e.state !== "queued";
    x.open.hidden = !mayOpen(e) || (e.state === "queued" && !oversight());
    setText(x.open, e.mine && e.state !== "left" ? "Open" : "View");
    var open = convs.has(id) && selected === id;
    x.open.setAttribute("aria-pressed", open ? "true" : "false");
    var label = RISK_LONG[risk] + ", " + reasonText(e.reason) + ", " + (CHANNEL_TEXT[e.channel] || e.channel) + ", " + (LANGUAGE_TEXT[e.language] || e.language);
    x.claim.setAttribute("aria-label", "Claim " + shortId(id) + " (" + label + ")");
    x.open.setAttribute("aria-label", x.open.textContent + " " + shortId(id));
    tickEntry(x, e);
  }

  function tickEntry(x, e) {
    var text = "";
    if (e.state === "queued") {
      var w = since(e.queued_at);
      if (w === null && typeof e.waited_seconds === "number") w = e.waited_seconds;
      text = w === null ? "" : "Waiting " + duration(w);
    } else if (e.state === "human") {
      var a = since(e.awaiting_since);
      text = a === null ? "" : "Awaiting reply " + duration(a);
    }
    setText(x.wait, text);
    x.wait.hidden = !text;
  }

  function renderQueue() {
    var groups = { queued: [], human: [], left: [] };
    entries.forEach(function (e) { groups[groupOf(e)].push(e); });
    Array.from(entryEls.keys()).forEach(function (id) {
      if (!entries.has(id)) { var x = entryEls.get(id); if (x.li.parentNode) x.li.parentNode.removeChild(x.li); entryEls.delete(id); }
    });
    Object.keys(groups).forEach(function (g) {
      var list = lists[g];
      var sorted = groups[g].sort(sortEntries);
      sorted.forEach(function (e) {
        var x = entryEls.get(e.conversation_id);
        if (!x) { x = makeEntryEl(e.conversation_id); entryEls.set(e.conversation_id, x); }
        updateEntryEl(x, e);
      });
      // move nodes only when the order differs (moving a focused node loses focus)
      var current = Array.prototype.slice.call(list.children);
      var same = current.length === sorted.length && sorted.every(function (e, i) { return current[i] === entryEls.get(e.conversation_id).li; });
      if (!same) {
        var focused = document.activeElement;
        sorted.forEach(function (e, i) {
          var li = entryEls.get(e.conversation_id).li;
          if (list.children[i] !== li) list.insertBefore(li, list.children[i] || null);
        });
        if (focused && focused !== document.activeElement && document.contains(focused)) focused.focus();
      }
    });
    setText($("queue-waiting-count"), "(" + groups.queued.length + ")");
    setText($("queue-human-count"), "(" + groups.human.length + ")");
    setText($("queue-left-count"), "(" + groups.left.length + ")");
    $("queue-waiting-empty").hidden = groups.queued.length > 0;
    $("queue-human-heading").hidden = groups.human.length === 0;
    $("queue-left-heading").hidden = groups.left.length === 0;
    renderHealth();
  }

  // ---- alerts and attention ----
  var alertsEl = $("alerts"), announceEl = $("announce");

  function addAlert(kind, id, text) {
    alerts.filter(function (a) { return a.kind === kind && a.id === id; }).forEach(removeAlert);
    var show = id ? el("button", { type: "button", class: "link-button", "data-testid": "alert-show", text: "Show" }) : null;
    var dismiss = el("button", { type: "button", class: "alert-dismiss", "data-testid": "alert-dismiss", "aria-label": "Dismiss alert", text: "Dismiss" });
    var node = el("div", { class: "alert alert-" + kind, "data-testid": "alert", "data-kind": kind, "data-conversation-id": id || null }, [
      el("p", { class: "alert-text", text: text }),
      show,
      dismiss
    ]);
    var a = { kind: kind, id: id, el: node };
    dismiss.addEventListener("click", function () { removeAlert(a); if (id) highlighted.delete(id); renderQueue(); });
    if (show) show.addEventListener("click", function () { showConversation(id); });
    alerts.push(a);
    alertsEl.appendChild(node);
    if (kind === "info") setTimeout(function () { if (!node.contains(document.activeElement)) removeAlert(a); }, 20000);
    while (alerts.length > MAX_ALERTS) removeAlert(alerts[0]);
    updateTitle();
  }

  function removeAlert(a) {
    var i = alerts.indexOf(a);
    if (i >= 0) alerts.splice(i, 1);
    if (a.el.parentNode) a.el.parentNode.removeChild(a.el);
    updateTitle();
  }

  function showConversation(id) {
    if (convs.has(id)) { selectConv(id, true); return; }
    var x = entryEls.get(id);
    if (x) {
      x.li.scrollIntoView({ block: "nearest" });
      x.li.focus();
    }
  }

  function announce(text) {
    announceEl.textContent = "";
    setTimeout(function () { announceEl.textContent = text; }, 50);
  }

  function updateTitle() {
    var n = alerts.length;
    convs.forEach(function (c) { n += c.unread; });
    var t = n ? "(" + n + ") " + baseTitle : baseTitle;
    if (document.title !== t) document.title = t;
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && selected && convs.has(selected)) {
      convs.get(selected).unread = 0;
      refreshTabs();
      updateTitle();
    }
  });

  // ---- presence ----
  var presenceSelect = $("presence"), presenceError = $("presence-error"), presenceShown = presenceSelect.value;

  function sendPresence(status) {
    setText(presenceError, "");
    command({ type: "presence", status: status }, {
      ok: function () { presenceShown = status; presenceSelect.value = status; },
      error: function (text) {
        presenceSelect.value = presenceShown;
        setText(presenceError, text);
      }
    });
  }

  presenceSelect.addEventListener("change", function () {
    wantedPresence = presenceSelect.value;
    sendPresence(wantedPresence);
  });

  // ---- conversations (tabs and panes) ----
  var tabsEl = $("tabs"), panesEl = $("panes");

  function ensureConv(id) {
    if (convs.has(id)) return convs.get(id);
    var c = makeConv(id);
    convs.set(id, c);
    tabOrder.push(id);
    tabsEl.appendChild(c.tab);
    panesEl.appendChild(c.pane);
    updatePane(c);
    refreshTabs();
    return c;
  }

  function dropConv(id, notice) {
    var c = convs.get(id);
    if (!c) return;
    typingOff(c);
    clearTimeout(c.idleTimer);
    var hadFocus = c.pane.contains(document.activeElement) || c.tab === document.activeElement;
    convs.delete(id);
    tabOrder = tabOrder.filter(function (t) { return t !== id; });
    if (c.tab.parentNode) c.tab.parentNode.removeChild(c.tab);
    if (c.pane.parentNode) c.pane.parentNode.removeChild(c.pane);
    if (selected === id) {
      selected = null;
      if (tabOrder.length) selectConv(tabOrder[0], hadFocus);
    }
    if (notice) addAlert("info", id, notice);
    refreshTabs();
    renderQueue();
    updateTitle();
  }

  function writable(c) {
    var e = entries.get(c.id);
    return !!(e && e.mine && e.state === "human" && isOpen());
  }

  function makeConv(id) {
    var c = {
      id: id, messages: new Map(), notes: new Map(), pendingNotes: [], unsequenced: [], failedItems: [],
      opened: false, everOpened: false, loaded: false, loadError: null, unread: 0,
      typingOn: false, lastOnAt: 0, idleTimer: null, confirmAction: null, openRef: null
    };
    var tabId = "tab-" + id, paneId = "pane-" + id;
    c.tabRisk = el("span", { class: "risk risk-none" });
    c.tabLabel = el("span", { class: "tab-label" });
    c.tabBadge = el("span", { class: "tab-badge", hidden: true });
    c.tab = el("button", {
      type: "button", role: "tab", id: tabId, class: "tab", "aria-controls": paneId, "aria-selected": "false",
      tabindex: "-1", "data-testid": "conversation-tab", "data-conversation-id": id
    }, [c.tabRisk, c.tabLabel, c.tabBadge]);
    c.tab.addEventListener("click", function () { selectConv(id, true); });
    c.tab.addEventListener("keydown", tabKeys);

    // header
    c.headRisk = el("span", { class: "risk", "data-testid": "conversation-risk" });
    c.headEscalated = el("span", { class: "badge badge-escalated", text: "Escalated", hidden: true });
    c.headTitle = el("h3", { class: "conv-title" });
    c.headMeta = el("p", { class: "conv-meta" });
    c.headReason = el("p", { class: "conv-reason" });
    c.leftBanner = el("p", { class: "left-banner", "data-testid": "left-banner", role: "status", hidden: true,
      text: "Left — do not contact. The person closed the chat. Do not try to reach them." });
    c.readonlyBanner = el("p", { class: "readonly-banner", "data-testid": "readonly-banner", hidden: true });
    c.release = el("button", { type: "button", "data-testid": "release", text: "Release to queue" });
    c.handBack = el("button", { type: "button", "data-testid": "hand-back", text: "Hand back to bot" });
    c.outcome = el("select", { id: "outcome-" + id, "data-testid": "close-outcome" });
    c.close = el("button", { type: "button", "data-testid": "close", text: "Close…" });
    c.hide = el("button", { type: "button", class: "link-button", "data-testid": "tab-hide", text: "Stop viewing", hidden: true });
    c.actionsEl = el("div", { class: "conv-actions", role: "group", "aria-label": "Conversation actions" }, [
      c.release, c.handBack,
      el("span", { class: "close-group" }, [el("label", { for: "outcome-" + id, text: "Outcome" }), c.outcome, c.close]),
      c.hide
    ]);
    c.confirmText = el("p", { class: "confirm-text" });
    c.confirmBtn = el("button", { type: "button", class: "danger", "data-testid": "confirm" });
    c.cancelBtn = el("button", { type: "button", "data-testid": "confirm-cancel", text: "Cancel" });
    c.confirmEl = el("div", { class: "confirm", role: "group", "aria-label": "Confirm", hidden: true }, [c.confirmText, c.confirmBtn, c.cancelBtn]);
    c.actionError = el("p", { class: "inline-error", "data-testid": "action-error", role: "alert" });
    var head = el("div", { class: "conv-head" }, [
      el("div", { class: "conv-head-top" }, [c.headRisk, c.headEscalated, c.headTitle, c.headMeta]),
      c.headReason, c.leftBanner, c.readonlyBanner, c.actionsEl, c.confirmEl, c.actionError
    ]);

    // transcript
    c.transcript = el("ol", { class: "transcript", "data-testid": "transcript", role: "log", "aria-live": "polite", "aria-label": "Transcript of " + shortId(id) });
    c.localList = el("ol", { class: "transcript transcript-local", "data-testid": "transcript-local", "aria-label": "Your replies not yet confirmed" });
    c.transcriptStatus = el("p", { class: "transcript-status", text: "Loading…" });
    c.wrap = el("div", { class: "transcript-wrap", tabindex: "0", role: "region", "aria-label": "Transcript" }, [c.transcriptStatus, c.transcript, c.localList]);

    // notes
    c.noteList = el("ol", { class: "note-list", "data-testid": "note-list", "aria-label": "Private notes" });
    c.noteBox = el("textarea", { id: "note-" + id, class: "note-box", "data-testid": "note-box", rows: "2", maxlength: String(MAX_NOTE) });
    c.noteAdd = el("button", { type: "button", "data-testid": "note-add", text: "Add private note" });
    c.noteError = el("p", { class: "inline-error", "data-testid": "note-error", role: "alert" });
    var notes = el("aside", { class: "notes", "aria-labelledby": "notes-h-" + id }, [
      el("h4", { id: "notes-h-" + id, text: "Private notes" }),
      el("p", { class: "notes-hint", text: "Staff only. Never sent to the person." }),
      c.noteList,
      el("label", { for: "note-" + id, text: "New private note" }),
      c.noteBox,
      el("div", { class: "note-actions" }, [c.noteAdd]),
      c.noteError
    ]);

    // reply
    c.canned = el("select", { id: "canned-" + id, "data-testid": "canned-select" });
    c.replyBox = el("textarea", {
      id: "reply-" + id, class: "reply-box", "data-testid": "reply-box", rows: "2", maxlength: String(MAX_REPLY),
      "aria-describedby": "reply-hint-" + id + " reply-count-" + id
    });
    c.counter = el("span", { id: "reply-count-" + id, class: "counter", "data-testid": "reply-counter", text: "0 / " + MAX_REPLY });
    c.send = el("button", { type: "button", class: "primary", "data-testid": "reply-send", text: "Send" });
    c.replyError = el("p", { class: "inline-error", "data-testid": "reply-error", role: "alert" });
    c.replyForm = el("div", { class: "reply" }, [
      el("div", { class: "reply-top" }, [
        el("label", { for: "reply-" + id, class: "reply-label", text: "Reply to the person" }),
        el("span", { class: "canned-group" }, [el("label", { for: "canned-" + id, text: "Saved replies" }), c.canned])
      ]),
      c.replyBox,
      el("div", { class: "reply-bottom" }, [
        el("span", { id: "reply-hint-" + id, class: "hint", text: "Enter sends, Shift+Enter for a new line." }),
        c.counter, c.send
      ]),
      c.replyError
    ]);

    c.pane = el("section", {
      role: "tabpanel", id: paneId, class: "pane", "aria-labelledby": tabId, hidden: true,
      "data-testid": "conversation", "data-conversation-id": id
    }, [head, el("div", { class: "conv-body" }, [c.wrap, notes]), c.replyForm]);

    fillOutcomes(c);
    fillCanned(c);
    wirePane(c);
    return c;
  }

  function fillOutcomes(c) {
    var keep = c.outcome.value;
    c.outcome.textContent = "";
    c.outcome.appendChild(el("option", { value: "", text: "Choose…" }));
    outcomes.forEach(function (o) { c.outcome.appendChild(el("option", { value: o, text: outcomeText(o) })); });
    c.outcome.value = outcomes.indexOf(keep) >= 0 ? keep : "";
  }

  function fillCanned(c) {
    var e = entries.get(c.id);
    var lang = e ? e.language : null;
    var list = (lang && Array.isArray(canned[lang])) ? canned[lang] : [];
    c.canned.textContent = "";
    c.canned.appendChild(el("option", { value: "", text: list.length ? "Insert a saved reply…" : "None for this language" }));
    list.forEach(function (item, i) {
      if (!item || typeof item.text !== "string") return;
      var label = item.text.length > 70 ? item.text.slice(0, 69) + "…" : item.text;
      c.canned.appendChild(el("option", { value: String(i), "data-key": item.key || null, title: item.text, text: label }));
    });
    c.cannedList = list;
    c.cannedLang = lang;
  }

  function wirePane(c) {
    // At the end of the transcript, stay there when the transcript's box shrinks or grows
    // (an alert banner above, the window resized): the newest message stays in view.
    c.atEnd = true;
    c.wrap.addEventListener("scroll", function () { c.atEnd = nearEnd(c); });
    if (window.ResizeObserver) {
      new ResizeObserver(function () { if (c.atEnd && !c.pane.hidden) scrollToEnd(c); }).observe(c.wrap);
    }
    c.replyBox.addEventListener("input", function () { updateCounter(c); typingInput(c); });
    c.replyBox.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
        ev.preventDefault();
        sendReply(c);
      }
    });
    c.replyBox.addEventListener("blur", function () { typingOff(c); });
    c.send.addEventListener("click", function () { sendReply(c); });
    c.canned.addEventListener("change", function () {
      var item = c.cannedList[Number(c.canned.value)];
      c.canned.value = "";
      if (!item || c.replyBox.disabled) return;
      insertText(c.replyBox, item.text);
      updateCounter(c);
      c.replyBox.focus();
      typingInput(c);
    });
    c.noteAdd.addEventListener("click", function () { addNote(c); });
    c.noteBox.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); addNote(c); }
    });
    c.release.addEventListener("click", function () {
      hideConfirm(c);
      act(c, { type: "release", conversation_id: c.id }, c.release, "Released to the queue.");
    });
    c.handBack.addEventListener("click", function () {
      showConfirm(c, "Hand this conversation back to the bot? The person will be told they are talking with the bot again.",
        "Yes, hand back", function () { act(c, { type: "hand_back", conversation_id: c.id }, c.handBack); });
    });
    c.close.addEventListener("click", function () {
      var outcome = c.outcome.value;
      if (!outcome) {
        setText(c.actionError, "Choose an outcome first, then press Close.");
        c.outcome.focus();
        return;
      }
      showConfirm(c, "Close this conversation as “" + outcomeText(outcome) + "”? The person will be told it has ended and given the helpline numbers.",
        "Yes, close", function () { act(c, { type: "close", conversation_id: c.id, outcome: outcome }, c.close); });
    });
    c.outcome.addEventListener("change", function () { setText(c.actionError, ""); });
    c.confirmBtn.addEventListener("click", function () {
      var action = c.confirmAction;
      hideConfirm(c);
      if (action) action();
    });
    c.cancelBtn.addEventListener("click", function () { hideConfirm(c); });
    c.confirmEl.addEventListener("keydown", function (ev) { if (ev.key === "Escape") hideConfirm(c); });
    c.hide.addEventListener("click", function () { dropConv(c.id, null); });
  }

  function insertText(box, text) {
    var start = box.selectionStart, end = box.selectionEnd, v = box.value;
    if (typeof start !== "number") { box.value = v + text; return; }
    var room = MAX_REPLY - (v.length - (end - start));
    if (room <= 0) return;
    var piece = text.slice(0, room);
    box.value = v.slice(0, start) + piece + v.slice(end);
    box.selectionStart = box.selectionEnd = start + piece.length;
  }

  function showConfirm(c, text, label, action) {
    setText(c.actionError, "");
    setText(c.confirmText, text);
    setText(c.confirmBtn, label);
    c.confirmAction = action;
    c.confirmEl.hidden = false;
    c.confirmBtn.focus();
  }

  function hideConfirm(c) {
    var had = c.confirmEl.contains(document.activeElement);
    c.confirmEl.hidden = true;
    c.confirmAction = null;
    if (had) c.handBack.focus();
  }

  function act(c, frame, button, done) {
    setText(c.actionError, "");
    button.disabled = true;
    selfActed.add(c.id);
    command(frame, {
      ok: function () {
        button.disabled = false;
        if (frame.type === "hand_back" || frame.type === "close") {
          entries.delete(c.id);
          dropConv(c.id, null);
        } else if (done) {
          announce(done);
        }
      },
      error: function (text) {
        selfActed.delete(c.id);
        button.disabled = false;
        setText(c.actionError, text);
      }
    });
  }

  function updateCounter(c) {
    var n = c.replyBox.value.length;
    setText(c.counter, n + " / " + MAX_REPLY);
    c.counter.classList.toggle("near", n > MAX_REPLY - 200);
  }

  // typing: "on" at most once per 2 s while typing; "off" after 3 s idle, on send, on leaving
  function typingInput(c) {
    if (!writable(c)) return;
    clearTimeout(c.idleTimer);
    if (!c.replyBox.value.trim()) { typingOff(c); return; }
    var now = Date.now();
    if (now - c.lastOnAt >= TYPING_THROTTLE_MS) {
      c.lastOnAt = now;
      c.typingOn = true;
      command({ type: "typing", conversation_id: c.id, on: true }, { silent: true });
    }
    c.idleTimer = setTimeout(function () { typingOff(c); }, TYPING_IDLE_MS);
  }

  function typingOff(c) {
    clearTimeout(c.idleTimer);
    if (!c.typingOn) return;
    c.typingOn = false;
    if (isOpen()) command({ type: "typing", conversation_id: c.id, on: false }, { silent: true });
  }

  function sendReply(c) {
    setText(c.replyError, "");
    var text = c.replyBox.value;
    if (!text.trim()) return;
    var e = entries.get(c.id);
    if (!e || e.state === "left") { setText(c.replyError, "The person left. Do not contact them."); return; }
    if (!e.mine || e.state !== "human") { setText(c.replyError, "You can only reply to a conversation you have claimed."); return; }
    if (text.length > MAX_REPLY) { setText(c.replyError, "This reply is too long: " + MAX_REPLY + " characters at most."); return; }
    typingOff(c);
    var ref = newRef();
    var item = { ref: ref, conversation_id: c.id, text: text, frame: { type: "reply", conversation_id: c.id, text: text, ref: ref }, failed: null };
    outbox.set(ref, item);
    if (isOpen()) rawSend(item.frame);
    c.replyBox.value = "";
    updateCounter(c);
    renderLocal(c);
    scrollToEnd(c);
    showConnection();
  }

  function addNote(c) {
    setText(c.noteError, "");
    var text = c.noteBox.value.trim();
    if (!text) return;
    var e = entries.get(c.id);
    if (!e || !e.mine || e.state === "left") { setText(c.noteError, "Notes can be added to conversations you hold."); return; }
    var item = { text: text, saved: false };
    var sent = command({ type: "note", conversation_id: c.id, text: text }, {
      ok: function (f) {
        var i = c.pendingNotes.indexOf(item);
        var note = f.note || (f.id !== undefined ? { id: f.id, by: me.username, text: text, at: f.at || new Date(serverNow()).toISOString() } : null);
        if (note) {
          if (i >= 0) c.pendingNotes.splice(i, 1);
          mergeNote(c, note);
        } else {
          item.saved = true;
        }
        renderNotes(c);
      },
      error: function (msg) {
        var i = c.pendingNotes.indexOf(item);
        if (i >= 0) c.pendingNotes.splice(i, 1);
        if (!c.noteBox.value) c.noteBox.value = text;
        setText(c.noteError, msg === LOST
          ? "The connection dropped before the note was confirmed. When it is back, check the notes before adding it again."
          : "Note not saved: " + msg);
        renderNotes(c);
      }
    });
    if (sent) {
      c.pendingNotes.push(item);
      c.noteBox.value = "";
      renderNotes(c);
    }
  }

  /* Merge by seq (a seq already held is ignored), insert each new one in its place. */
  function addMessages(c, list, forceScroll) {
    var wasNearEnd = nearEnd(c);
    var added = 0;
    list.forEach(function (m) {
      if (!m || typeof m.seq !== "number" || c.messages.has(m.seq)) return;
      c.messages.set(m.seq, m);
      added += 1;
      var node = messageEl(m, null);
      var before = null;
      for (var n = c.transcript.lastElementChild; n; n = n.previousElementSibling) {
        if (Number(n.getAttribute("data-seq")) > m.seq) before = n; else break;
      }
      c.transcript.insertBefore(node, before);
      if (m.from === "counsellor") {
        var i = c.unsequenced.findIndex(function (u) { return u.text === m.text; });
        if (i >= 0) c.unsequenced.splice(i, 1);
        else echoOutbox(c, m.text);
      }
    });
    if (added || forceScroll) {
      renderLocal(c);
      if (forceScroll || wasNearEnd) scrollToEnd(c);
    }
    return added;
  }

  function mergeNote(c, n) {
    if (!n || n.id === undefined || n.id === null) return;
    c.notes.set(String(n.id), n);
    var i = c.pendingNotes.findIndex(function (p) { return p.saved && p.text === n.text; });
    if (i >= 0) c.pendingNotes.splice(i, 1);
  }

  function maxSeq(c) {
    var m = 0;
    c.messages.forEach(function (_, s) { if (s > m) m = s; });
    return m;
  }

  function openConv(c) {
    var frame = { type: "open", conversation_id: c.id };
    if (c.messages.size) frame.after_seq = maxSeq(c);
    c.loadError = null;
    var sent = command(frame, {
      error: function (text) {
        c.opened = false;
        c.loadError = text;
        updatePane(c);
      }
    });
    if (sent) { c.opened = true; c.everOpened = true; c.openRef = frame.ref; }
    updatePane(c);
  }

  function selectConv(id, focusTab) {
    var c = convs.get(id);
    if (!c) return;
    var prev = selected && convs.get(selected);
    if (prev && prev !== c) {
      typingOff(prev);
      prev.tab.setAttribute("aria-selected", "false");
      prev.tab.setAttribute("tabindex", "-1");
      prev.pane.hidden = true;
    }
    selected = id;
    c.tab.setAttribute("aria-selected", "true");
    c.tab.setAttribute("tabindex", "0");
    c.pane.hidden = false;
    c.unread = 0;
    if (!c.opened && isOpen()) openConv(c);
    if (focusTab) c.tab.focus();
    scrollToEnd(c);
    refreshTabs();
    renderQueue();
    updateTitle();
  }

  function tabKeys(ev) {
    var i = tabOrder.indexOf(selected);
    var n = tabOrder.length;
    if (!n) return;
    var to = null;
    if (ev.key === "ArrowRight" || ev.key === "ArrowDown") to = tabOrder[(i + 1) % n];
    else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") to = tabOrder[(i - 1 + n) % n];
    else if (ev.key === "Home") to = tabOrder[0];
    else if (ev.key === "End") to = tabOrder[n - 1];
    if (to) { ev.preventDefault(); selectConv(to, true); }
  }

  function refreshTabs() {
    var mine = 0;
    tabOrder.forEach(function (id) {
      var c = convs.get(id);
      var e = entries.get(id);
      if (e && e.mine && e.state === "human") mine += 1;
      var risk = riskOf(e);
      c.tab.setAttribute("data-risk", risk);
      c.tab.setAttribute("data-unread", String(c.unread));
      c.tabRisk.className = "risk risk-" + risk;
      setText(c.tabRisk, RISK_TEXT[risk]);
      var label = shortId(id) + " · " + (e ? (CHANNEL_TEXT[e.channel] || e.channel) : "");
      if (e && e.state === "left") label += " · left";
      else if (e && !e.mine) label += " · viewing";
      setText(c.tabLabel, label);
      var badge = "";
      if (c.unread) badge = c.unread + " new";
      else if (e && e.mine && e.state === "human" && e.awaiting_since) badge = "waiting";
      c.tabBadge.hidden = !badge;
      setText(c.tabBadge, badge);
    });
    setText($("mine-count"), cap !== null ? "(" + mine + " of " + cap + ")" : (mine ? "(" + mine + ")" : ""));
    $("no-conversation").hidden = tabOrder.length > 0;
  }

  function updatePane(c) {
    var e = entries.get(c.id);
    var risk = riskOf(e);
    var isLeft = !!(e && e.state === "left");
    var mine = !!(e && e.mine);
    var canWrite = writable(c);
    c.pane.setAttribute("data-state", e ? e.state : "unknown");
    c.pane.setAttribute("data-readonly", canWrite ? "false" : "true");
    c.pane.setAttribute("data-risk", risk);
    c.headRisk.className = "risk risk-" + risk;
    setText(c.headRisk, RISK_LONG[risk]);
    c.headEscalated.hidden = !(e && e.escalated);
    setText(c.headTitle, "Conversation " + shortId(c.id));
    if (e) {
      var who = e.claimed_by ? (mine ? "with you" : "with " + (e.claimed_by.username || "a counsellor")) : "waiting in the queue";
      setText(c.headMeta, (CHANNEL_TEXT[e.channel] || e.channel) + " · " + (LANGUAGE_TEXT[e.language] || e.language) + " · " + (isLeft ? "left" : who));
      var codes = (e.reasons || []).join(", ");
      setText(c.headReason, reasonText(e.reason) + (codes ? " (" + codes + ")" : ""));
      if (c.cannedLang !== e.language) fillCanned(c);
    }
    c.leftBanner.hidden = !isLeft;
    var readonlyText = "";
    if (!isLeft && e && !mine) readonlyText = "Read-only: you are viewing this conversation. Claim it from the queue to reply.";
    if (!isLeft && e && e.claimed_by && !mine) readonlyText = "Read-only: " + (e.claimed_by.username || "another counsellor") + " holds this conversation.";
    c.readonlyBanner.hidden = !readonlyText;
    setText(c.readonlyBanner, readonlyText);
    var canAct = !!(e && mine && e.state === "human");
    c.release.hidden = c.handBack.hidden = !canAct;
    c.close.parentNode.hidden = !canAct;
    c.hide.hidden = canAct;
    c.release.disabled = c.handBack.disabled = c.close.disabled = !isOpen();
    if (!canAct) hideConfirm(c);
    c.replyForm.hidden = !canAct;
    c.replyBox.disabled = c.send.disabled = c.canned.disabled = !canAct;
    c.noteBox.disabled = c.noteAdd.disabled = !(canAct && isOpen());
    c.noteBox.parentNode.classList.toggle("notes-readonly", !canAct);
    if (!canWrite && c.typingOn) typingOff(c);
    var status = "";
    if (c.loadError) status = c.loadError;
    else if (!c.loaded) status = isOpen() ? "Loading the transcript…" : "The transcript loads when the connection is back.";
    else if (!c.messages.size && !outboxFor(c).length) status = "No messages yet.";
    setText(c.transcriptStatus, status);
    c.transcriptStatus.hidden = !status;
    c.transcriptStatus.classList.toggle("inline-error", !!c.loadError);
  }

  function outboxFor(c) {
    var list = [];
    outbox.forEach(function (item) { if (item.conversation_id === c.id) list.push(item); });
    return list;
  }

  /* The server's copy of a reply still waiting for its `ok` arrived first (pushed to every
     console that has the conversation open): show that copy only; the `ok` still ends it. */
  function echoOutbox(c, text) {
    Array.from(outbox.values()).some(function (item) {
      if (item.conversation_id !== c.id || item.failed || item.echoed || item.text !== text) return false;
      item.echoed = true;
      return true;
    });
  }

  /* Replies not yet sequenced: sent and confirmed without a seq, sending, refused. */
  function renderLocal(c) {
    var frag = document.createDocumentFragment();
    c.unsequenced.forEach(function (u) { frag.appendChild(messageEl({ from: "counsellor", text: u.text, at: u.at }, null)); });
    outbox.forEach(function (item) {
      if (item.conversation_id === c.id && !item.failed && !item.echoed) frag.appendChild(messageEl({ from: "counsellor", text: item.text }, "pending"));
    });
    c.failedItems.forEach(function (item) { frag.appendChild(failedEl(c, item)); });
    c.localList.textContent = "";
    c.localList.appendChild(frag);
    c.localList.hidden = !c.localList.children.length;
    updatePane(c);
  }

  function messageEl(m, status) {
    var from = FROM_TEXT[m.from] ? m.from : "system";
    var li = el("li", { class: "msg msg-" + from + (status ? " msg-" + status : ""), "data-testid": "transcript-message", "data-from": from,
      "data-seq": typeof m.seq === "number" ? String(m.seq) : null, "data-pending": status === "pending" ? "true" : null });
    var head = el("span", { class: "msg-head" }, [el("span", { class: "msg-from", text: FROM_TEXT[from] })]);
    var time = clock(m.at);
    if (time) head.appendChild(el("time", { class: "msg-time", datetime: m.at, text: time }));
    if (status === "pending") head.appendChild(el("span", { class: "msg-status", text: "Sending…" }));
    li.appendChild(head);
    li.appendChild(el("span", { class: "msg-text", text: String(m.text || "") }));
    return li;
  }

  function failedEl(c, item) {
    var li = messageEl({ from: "counsellor", text: item.text }, "failed");
    li.setAttribute("data-failed", "true");
    var restore = el("button", { type: "button", class: "link-button", "data-testid": "reply-restore", text: "Put back in the reply box" });
    var dismiss = el("button", { type: "button", class: "link-button", "data-testid": "reply-dismiss", text: "Dismiss" });
    li.appendChild(el("p", { class: "msg-failed", role: "alert" }, [el("span", { text: "Not sent: " + item.failed + " " }), restore, " ", dismiss]));
    function drop() {
      c.failedItems = c.failedItems.filter(function (f) { return f !== item; });
      renderLocal(c);
    }
    restore.addEventListener("click", function () {
      if (!c.replyBox.disabled) {
        c.replyBox.value = c.replyBox.value ? c.replyBox.value + "\n" + item.text : item.text;
        c.replyBox.value = c.replyBox.value.slice(0, MAX_REPLY);
        updateCounter(c);
        c.replyBox.focus();
      }
      drop();
    });
    dismiss.addEventListener("click", drop);
    return li;
  }

  function renderNotes(c) {
    var list = Array.from(c.notes.values()).sort(function (a, b) {
      var d = (parseTime(a.at) || 0) - (parseTime(b.at) || 0);
      return d || (Number(a.id) - Number(b.id)) || 0;
    });
    c.noteList.textContent = "";
    list.forEach(function (n) { c.noteList.appendChild(noteEl(n.text, n.by, n.at, null)); });
    c.pendingNotes.forEach(function (p) { c.noteList.appendChild(noteEl(p.text, me.username, null, p.saved ? null : "Saving…")); });
    if (!c.noteList.children.length) c.noteList.appendChild(el("li", { class: "note-empty", text: "No notes yet." }));
  }

  function noteEl(text, by, at, status) {
    var head = el("span", { class: "note-head" }, [el("span", { class: "note-private", text: "Private" }), " " + (by ? String(by) : "")]);
    var time = clock(at);
    if (time) head.appendChild(el("time", { datetime: at, text: " " + time }));
    if (status) head.appendChild(el("span", { class: "msg-status", text: " " + status }));
    return el("li", { class: "note", "data-testid": "note", "data-pending": status ? "true" : null }, [head, el("span", { class: "note-text", text: String(text) })]);
  }

  function scrollToEnd(c) {
    c.wrap.scrollTop = c.wrap.scrollHeight;
    c.atEnd = true;
  }

  function nearEnd(c) {
    var w = c.wrap;
    return w.scrollHeight - w.scrollTop - w.clientHeight < 80;
  }

  // ---- the clock: waits tick every second ----
  setInterval(function () {
    entryEls.forEach(function (x, id) { var e = entries.get(id); if (e) tickEntry(x, e); });
    renderHealth();
    if (!isOpen()) showConnection();
  }, 1000);

  connect();
})();
