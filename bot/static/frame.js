/* The chat inside the widget's iframe (protocol: docs/WEBCHAT_PROTOCOL.md). The session id
 * and every message live in this page's memory only: no cookies, no storage. */
(function () {
  "use strict";
  var T = {
    vi: {
      title: "Hỏi đáp", exit: "Thoát nhanh", lang: "Ngôn ngữ", min: "Thu nhỏ", log: "Cuộc trò chuyện",
      text: "Tin nhắn", hint: "Nhập tin nhắn…", send: "Gửi", loc: "Chia sẻ vị trí của tôi",
      yes: "Chia sẻ vị trí", no: "Không, cảm ơn", typing: "Đang trả lời",
      ctyping: "Tư vấn viên đang viết", counsellor: "Tư vấn viên", user: "Bạn", bot: "Trợ lý",
      system: "Trợ lý", down: "Mất kết nối, đang kết nối lại…", locSent: "(Đã chia sẻ vị trí)",
      locFail: "Không lấy được vị trí. Bạn có thể gõ tên tỉnh hoặc thành phố.",
      failed: "Tin nhắn này chưa gửi được.", slow: "Bạn gửi hơi nhanh; mình sẽ gửi lại sau giây lát.",
      ended: "Cuộc trò chuyện trước đã kết thúc. Đây là cuộc trò chuyện mới."
    },
    en: {
      title: "Ask us", exit: "Quick exit", lang: "Language", min: "Minimise", log: "Conversation",
      text: "Message", hint: "Type a message…", send: "Send", loc: "Share my location",
      yes: "Share location", no: "No, thanks", typing: "Writing an answer",
      ctyping: "A counsellor is writing", counsellor: "Counsellor", user: "You", bot: "Assistant",
      system: "Assistant", down: "Connection lost, reconnecting…", locSent: "(Location shared)",
      locFail: "Could not get your location. You can type your province or city.",
      failed: "This message could not be sent.", slow: "That was quick; it will be sent again in a moment.",
      ended: "The earlier conversation has ended. This is a new one."
    }
  };
  function $(id) { return document.getElementById(id); }
  var app = $("app"), log = $("log"), input = $("text"), statusEl = $("status"), ask = $("ask");
  var params = {};
  location.hash.slice(1).split("&").forEach(function (kv) {
    var i = kv.indexOf("=");
    if (i > 0) { try { params[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); } catch (e) { /* ignore */ } }
  });
  var embedded = window.parent !== window && params.embed === "1";
  var exitUrl = /^https?:\/\//i.test(params.exit || "") ? params.exit : app.getAttribute("data-exit");
  var lang = params.lang === "en" ? "en" : "vi";
  var title = params.title || "";
  var ws = null, session = null, lastSeq = 0, retry = 0, nextId = 1, outbox = [], synced = false;
  var exited = false, lastEsc = 0, timer = null, typingTimer = null, slowShown = false;

  function t(k) { return T[lang][k]; }

  function texts() {
    document.documentElement.lang = lang;
    document.title = $("title").textContent = title || t("title");
    $("exit").textContent = t("exit");
    $("lang").setAttribute("aria-label", t("lang"));
    $("lang").value = lang;
    $("min").setAttribute("aria-label", t("min"));
    $("min").title = t("min");
    log.setAttribute("aria-label", t("log"));
    $("text-label").textContent = t("text");
    input.placeholder = t("hint");
    $("send").textContent = t("send");
    $("loc").setAttribute("aria-label", t("loc"));
    $("loc").title = t("loc");
    $("ask-text").textContent = app.getAttribute("data-loc-" + lang);
    $("ask-yes").textContent = t("yes");
    $("ask-no").textContent = t("no");
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function add(from, text, buttons) {
    var kind = ["bot", "user", "counsellor", "system"].indexOf(from) >= 0 ? from : "bot";
    var div = el("div", "msg " + kind);
    div.appendChild(el("span", kind === "counsellor" ? "who" : "sr", t(kind) + (kind === "counsellor" ? "" : ": ")));
    div.appendChild(document.createTextNode(text));
    if (buttons && buttons.length) {
      var row = el("div", "buttons");
      buttons.forEach(function (b) {
        var btn = el("button", "", b.title);
        btn.type = "button";
        btn.addEventListener("click", function () {
          [].forEach.call(row.children, function (c) { c.disabled = true; });
          send(b.title, b.payload);
          input.focus();
        });
        row.appendChild(btn);
      });
      div.appendChild(row);
    }
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  function note(text, error) {
    log.appendChild(el("div", "note" + (error ? " error" : ""), text));
    log.scrollTop = log.scrollHeight;
  }

  function status(text, cls) {
    statusEl.className = "status" + (cls ? " " + cls : "");
    statusEl.textContent = text || "";
  }

  function typing(on, from) {
    clearTimeout(typingTimer);
    if (!on) { if (statusEl.className.indexOf("down") < 0) status(""); return; }
    if (from === "counsellor") status(t("ctyping"), "counsellor-typing dots");
    else status(t("typing"), "dots");
    typingTimer = setTimeout(function () { typing(false); }, 30000);
  }

  // -- the connection -----------------------------------------------------------------------

  function raw(frame) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(frame)); return true; }
    return false;
  }

  function connect() {
    clearTimeout(timer);
    synced = false;
    var sock = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
    ws = sock;
    sock.onopen = function () {
      if (ws !== sock) return;
      var start = { type: "start", lang: lang };
      if (session) { start.session = session; start.last_seq = lastSeq; }
      raw(start);
      raw({ type: "ping" }); // answered after the replay: then the outbox is sent
    };
    sock.onmessage = function (ev) { if (ws === sock) onFrame(ev.data); };
    sock.onclose = function () {
      if (ws !== sock || exited) return;
      ws = null;
      synced = false;
      typing(false);
      status(t("down"), "down");
      retry = Math.min(retry + 1, 5);
      timer = setTimeout(connect, retry === 1 ? 300 : 500 * retry);
    };
  }

  function onFrame(data) {
    var f;
    try { f = JSON.parse(data); } catch (e) { return; }
    if (f.type === "session") {
      if (session && !f.resumed) { lastSeq = 0; note(t("ended")); }
      session = f.session;
      if (f.lang && f.lang !== lang) { lang = f.lang === "en" ? "en" : "vi"; texts(); tellLang(); }
    } else if (f.type === "message") {
      if (typeof f.seq === "number") {
        if (f.seq <= lastSeq) return;
        lastSeq = f.seq;
      }
      if (f.from === "user") { if (f.replay) ackText(f.text); return; } // shown when typed
      if (!f.replay) ackHead();
      if (f.from === "counsellor" && statusEl.className.indexOf("counsellor") >= 0) typing(false);
      add(f.from, f.text, f.buttons);
    } else if (f.type === "typing") {
      if (f.on && f.from !== "counsellor") ackHead();
      typing(f.on, f.from);
    } else if (f.type === "error") {
      onError(f);
    } else if (f.type === "pong" && !synced) {
      synced = true;
      retry = 0;
      status("");
      outbox.forEach(function (item) { if (item.sent !== ws) transmit(item); });
    }
  }

  // Messages stay in the outbox until the server shows it has them (it answers, or the
  // replay after a reconnect contains them); what is left after a reconnect is sent again.
  function transmit(item) { if (raw(item.frame)) item.sent = ws; }

  function done(item) {
    var i = outbox.indexOf(item);
    if (i >= 0) outbox.splice(i, 1);
    if (item.el) item.el.classList.remove("pending");
  }

  function ackHead() { if (outbox.length && outbox[0].sent) done(outbox[0]); }

  function ackText(text) {
    for (var i = 0; i < outbox.length; i++) { if (outbox[i].match === text) { done(outbox[i]); return; } }
  }

  function onError(f) {
    var item = null;
    outbox.forEach(function (it) { if (it.frame.client_id === f.client_id) item = it; });
    if (f.code === "no_conversation") { session = null; lastSeq = 0; if (ws) ws.close(); return; }
    if (!item) return;
    if (f.code === "rate_limited") {
      item.sent = null;
      if (!slowShown) { slowShown = true; note(t("slow")); }
      setTimeout(function () { if (synced && outbox.indexOf(item) >= 0) transmit(item); }, 1500);
      return;
    }
    done(item);
    if (f.code !== "internal") note(t("failed"), true); // "internal" comes with a safe answer
  }

  function queue(frame, shown, match) {
    frame.client_id = nextId++;
    var item = { frame: frame, el: add("user", shown), match: match, sent: null };
    item.el.classList.add("pending");
    outbox.push(item);
    if (synced) transmit(item);
  }

  function send(text, payload) {
    text = (text || "").trim();
    if (exited || !text) return;
    var frame = { type: "message", text: text };
    if (payload) frame.payload = payload;
    queue(frame, text, text);
  }

  // -- location: explain first, then ask the browser, then send a rounded position ----------

  function askLocation() { ask.hidden = false; $("ask-yes").focus(); }
  function closeAsk() { ask.hidden = true; input.focus(); }
  function shareLocation() {
    ask.hidden = true;
    input.focus();
    if (!navigator.geolocation) { note(t("locFail"), true); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      var round = function (x) { return Math.round(x * 100) / 100; }; // about 1 km
      queue({ type: "location", lat: round(pos.coords.latitude), lon: round(pos.coords.longitude) },
        t("locSent"), "(location shared)");
    }, function () { note(t("locFail"), true); }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 });
  }

  // -- quick exit -----------------------------------------------------------------------------

  function quickExit() {
    if (exited) return;
    exited = true;
    try { raw({ type: "exit" }); if (ws) ws.close(); } catch (e) { /* leaving anyway */ }
    clearTimeout(timer);
    clearTimeout(typingTimer);
    ws = session = null;
    outbox = [];
    document.title = "";
    document.body.textContent = "";
    if (embedded) {
      parent.postMessage({ gw: "exit" }, "*");
      setTimeout(function () { try { top.location.replace(exitUrl); } catch (e) { /* host leaves */ } }, 400);
    } else {
      location.replace(exitUrl);
    }
  }

  function tellLang() { if (embedded) parent.postMessage({ gw: "lang", lang: lang }, "*"); }

  // -- wiring -----------------------------------------------------------------------------------

  $("exit").addEventListener("click", quickExit);
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape" && ev.key !== "Esc") return;
    var now = Date.now();
    if (now - lastEsc < 1000) { quickExit(); return; }
    lastEsc = now;
    if (!ask.hidden) closeAsk();
  }, true);
  $("form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
  });
  $("lang").addEventListener("change", function () {
    lang = this.value === "en" ? "en" : "vi";
    texts();
    tellLang();
    if (ws) { var old = ws; ws = null; old.close(); connect(); } // resumes in the new language
  });
  $("loc").addEventListener("click", askLocation);
  $("ask-yes").addEventListener("click", shareLocation);
  $("ask-no").addEventListener("click", closeAsk);
  if (embedded) {
    $("min").hidden = false;
    $("min").addEventListener("click", function () { parent.postMessage({ gw: "close" }, "*"); });
    window.addEventListener("message", function (ev) {
      if (ev.source !== parent || !ev.data) return;
      if (ev.data.gw === "exit") quickExit();
      else if (ev.data.gw === "focus") input.focus();
    });
  }
  texts();
  connect();
  if (embedded) input.focus();
})();
