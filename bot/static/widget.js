/* Chat widget loader: one <script src="(gateway)/widget.js" data-lang="vi"> on any page.
 * It adds a neutral launcher and, when opened, an <iframe> from the gateway that holds the
 * chat (its own origin: the host page's scripts and styles cannot reach it). Quick exit:
 * Esc twice here or in the chat, or the button in the chat: the widget is removed and the
 * page is replaced (location.replace, so Back does not return). Nothing is ever written
 * to cookies or storage. Styles are set through the CSSOM, so a strict host CSP is fine.
 * Options (data-*): lang (vi|en), exit-url, title, icon (an image URL). */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || window.__gwWidget) return;
  window.__gwWidget = true;
  var DEFAULT_EXIT = "__GW_EXIT_URL__";
  var T = {
    vi: { open: "Hỏi đáp", close: "Thu nhỏ", exit: "Thoát nhanh" },
    en: { open: "Ask us", close: "Minimise", exit: "Quick exit" }
  };
  var d = me.dataset || {};
  var origin = new URL(me.src, location.href).origin;
  var lang = d.lang === "en" ? "en" : "vi";
  var exitUrl = safe(d.exitUrl) || DEFAULT_EXIT;
  var title = d.title || "";
  var host, root, launcher, label, leaveBtn, frame, loaded = false, opened = false, done = false, lastEsc = 0;

  function safe(url) {
    if (!url) return "";
    try {
      var u = new URL(url, location.href);
      return /^https?:$/.test(u.protocol) ? u.href : "";
    } catch (e) { return ""; }
  }
  function css(el, rules) { for (var k in rules) el.style.setProperty(k, rules[k]); return el; }
  function small() { return window.matchMedia && matchMedia("(max-width: 480px)").matches; }

  function build() {
    host = document.createElement("div");
    host.setAttribute("data-gw-widget", "");
    // first in the page: the chat's quick exit is the first stop of the Tab order
    document.body.insertBefore(host, document.body.firstChild);
    root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    launcher = document.createElement("button");
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", "false");
    css(launcher, {
      margin: "0", border: "0", position: "fixed", right: "16px", bottom: "16px", "z-index": "2147483000",
      display: "flex", "align-items": "center", gap: "8px", padding: "10px 16px",
      "border-radius": "24px", background: "#24527a", color: "#fff", cursor: "pointer",
      font: "600 15px/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
      "box-shadow": "0 2px 8px rgba(0,0,0,.3)", "min-height": "44px", "box-sizing": "border-box"
    });
    var icon;
    if (safe(d.icon)) {
      icon = css(document.createElement("img"), { width: "22px", height: "22px" });
      icon.src = safe(d.icon);
      icon.alt = "";
    } else {
      icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      icon.setAttribute("viewBox", "0 0 24 24");
      icon.setAttribute("width", "22");
      icon.setAttribute("height", "22");
      icon.setAttribute("aria-hidden", "true");
      var p = document.createElementNS("http://www.w3.org/2000/svg", "path");
      p.setAttribute("fill", "currentColor");
      p.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
      icon.appendChild(p);
    }
    label = document.createElement("span");
    launcher.appendChild(icon);
    launcher.appendChild(label);
    launcher.addEventListener("click", function () { opened ? hide() : show(); });
    // once a conversation exists, a minimised chat keeps a quick exit on the page (phones
    // have no Esc key)
    leaveBtn = document.createElement("button");
    leaveBtn.type = "button";
    css(leaveBtn, {
      margin: "0", border: "2px solid #fff", position: "fixed", right: "16px", bottom: "68px",
      "z-index": "2147483000", display: "none", padding: "8px 14px", "border-radius": "22px",
      background: "#8a1c1c", color: "#fff", cursor: "pointer", "min-height": "44px",
      font: "700 15px/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
      "box-shadow": "0 2px 8px rgba(0,0,0,.3)", "box-sizing": "border-box"
    });
    leaveBtn.addEventListener("click", function () { exit(false); });
    root.appendChild(leaveBtn);
    root.appendChild(launcher);
    setLang(lang);
  }

  function setLang(l) {
    lang = l === "en" ? "en" : "vi";
    label.textContent = opened ? T[lang].close : (title || T[lang].open);
    leaveBtn.textContent = T[lang].exit;
  }

  function show() {
    if (!frame) {
      frame = document.createElement("iframe");
      var q = "lang=" + lang + "&exit=" + encodeURIComponent(exitUrl) + "&embed=1";
      if (title) q += "&title=" + encodeURIComponent(title);
      frame.src = origin + "/widget/frame#" + q; // a fragment never reaches a server log
      frame.title = title || T[lang].open;
      frame.setAttribute("allow", "geolocation");
      frame.setAttribute("referrerpolicy", "no-referrer");
      frame.addEventListener("load", function () { loaded = true; });
      css(frame, { border: "0", background: "#fff", "z-index": "2147483001", position: "fixed" });
      root.insertBefore(frame, leaveBtn); // first in the Tab order
    }
    place();
    css(frame, { display: "block" });
    opened = true;
    launcher.setAttribute("aria-expanded", "true");
    css(launcher, { display: small() ? "none" : "flex" });
    css(leaveBtn, { display: "none" });
    setLang(lang);
    post({ gw: "focus" });
  }

  function place() {
    if (small()) {
      css(frame, { inset: "0", left: "0", top: "0", width: "100%", height: "100%", "border-radius": "0", "box-shadow": "none" });
    } else {
      css(frame, {
        inset: "auto", right: "16px", bottom: "76px", left: "auto", top: "auto", width: "380px",
        height: "560px", "max-width": "calc(100vw - 32px)", "border-radius": "12px",
        "box-shadow": "0 4px 24px rgba(0,0,0,.3)"
      });
      css(frame, { height: "min(600px, calc(100vh - 96px))" }); // ignored where unsupported
    }
  }

  function hide() {
    if (frame) css(frame, { display: "none" });
    opened = false;
    launcher.setAttribute("aria-expanded", "false");
    css(launcher, { display: "flex" });
    css(leaveBtn, { display: "block" });
    setLang(lang);
    launcher.focus();
  }

  function post(msg) {
    if (loaded && frame.contentWindow) frame.contentWindow.postMessage(msg, origin);
  }

  // Quick exit. From the chat: it has already said goodbye to the server. From here: ask
  // the chat to do so, and leave after its answer or 150 ms, whichever comes first.
  function exit(fromFrame) {
    if (done) return;
    done = true;
    if (host) css(host, { display: "none" });
    if (fromFrame || !frame) return leave();
    post({ gw: "exit" });
    setTimeout(leave, 150);
  }
  var left = false;
  function leave() {
    if (left) return;
    left = true;
    if (host && host.parentNode) host.parentNode.removeChild(host);
    host = root = launcher = label = leaveBtn = frame = null;
    document.removeEventListener("keydown", onKey, true);
    window.removeEventListener("message", onMessage);
    location.replace(exitUrl);
  }

  function onKey(ev) {
    if (ev.key !== "Escape" && ev.key !== "Esc") return;
    var now = Date.now();
    if (now - lastEsc < 1000) exit(false);
    lastEsc = now;
  }

  function onMessage(ev) {
    if (!frame || ev.source !== frame.contentWindow || ev.origin !== origin) return;
    var m = ev.data || {};
    if (m.gw === "exit") { if (done) leave(); else exit(true); }
    else if (m.gw === "close") hide();
    else if (m.gw === "lang") { setLang(m.lang); }
  }

  function start() {
    build();
    document.addEventListener("keydown", onKey, true);
    window.addEventListener("message", onMessage);
    window.addEventListener("resize", function () { if (opened) { place(); css(launcher, { display: small() ? "none" : "flex" }); } });
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
