// Demo client for the web chat protocol (docs/WEBCHAT_PROTOCOL.md). Keeps nothing in
// browser storage: the session id lives in this page's memory only.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("text");
  var typing = document.getElementById("typing");
  var langSelect = document.getElementById("lang");
  var session = null, lastSeq = 0, ws = null, retry = 0, nextId = 1;

  function add(cls, text, buttons) {
    var div = document.createElement("div");
    div.className = "msg " + cls;
    div.textContent = text;
    if (buttons && buttons.length) {
      var row = document.createElement("div");
      row.className = "buttons";
      buttons.forEach(function (b) {
        var btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.title;
        btn.addEventListener("click", function () { send(b.title, b.payload); });
        row.appendChild(btn);
      });
      div.appendChild(row);
    }
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/ws");
    ws.onopen = function () {
      retry = 0;
      ws.send(JSON.stringify({ type: "start", lang: langSelect.value, session: session, last_seq: lastSeq }));
    };
    ws.onmessage = function (ev) {
      var f = JSON.parse(ev.data);
      if (f.type === "session") { session = f.session; }
      else if (f.type === "message") {
        if (f.seq) { if (f.seq <= lastSeq) return; lastSeq = f.seq; }
        add(f.from, f.text, f.buttons);
      }
      else if (f.type === "typing") { typing.hidden = !f.on; }
      else if (f.type === "error") { add("error", f.message); }
    };
    ws.onclose = function () {
      typing.hidden = true;
      if (session === "exited") return;
      retry = Math.min(retry + 1, 5);
      setTimeout(connect, 500 * retry);
    };
  }

  function send(text, payload) {
    if (!ws || ws.readyState !== 1 || !text) return;
    var frame = { type: "message", text: text, client_id: nextId++ };
    if (payload) frame.payload = payload;
    ws.send(JSON.stringify(frame));
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    input.value = "";
    send(text);
  });
  document.getElementById("exit").addEventListener("click", function () {
    session = "exited";
    if (ws) ws.close();
    document.body.innerHTML = "";
    location.replace("https://www.google.com/search?q=weather");
  });
  langSelect.addEventListener("change", function () {
    if (ws) ws.close();
  });
  connect();
})();
