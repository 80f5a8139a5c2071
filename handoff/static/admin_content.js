/* Live preview for the content editor (handoff/templates/admin_content_edit.html).
 * As the administrator types, the form is posted with action=preview (same origin, the
 * form's own CSRF field) and the #preview section is replaced by the server's rendering:
 * the same code that renders the real replies, variables filled, everything escaped.
 * Nothing is saved; nothing is kept in browser storage. Without JavaScript the Preview
 * button does the same. */
(function () {
  "use strict";
  var form = document.querySelector("form.content-edit");
  var preview = document.getElementById("preview");
  if (!form || !preview) return;
  var timer = null, inFlight = null, pending = false;

  function refresh() {
    if (inFlight) { pending = true; return; }
    var data = new URLSearchParams(new FormData(form));
    data.set("action", "preview");
    inFlight = fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (resp) {
      return resp.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.getElementById("preview");
      if (fresh) {
        var current = document.getElementById("preview");
        current.replaceWith(document.importNode(fresh, true));
        document.getElementById("preview").setAttribute("data-live", "updated");
      }
    }).catch(function () {
      /* keep the last preview; the Preview button still works */
    }).then(function () {
      inFlight = null;
      if (pending) { pending = false; refresh(); }
    });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
