// OpenCity: small behaviours shared by every page. No inline scripts (strict CSP).
(function () {
  "use strict";
  if ("serviceWorker" in navigator && location.protocol !== "file:") {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () {});
    });
  }
  // Forms that ask before doing something that cannot be undone: data-confirm="question".
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { ev.preventDefault(); return; }
    // A second tap must not send the form twice (the server is idempotent anyway).
    if (form.dataset.sent === "1" && !form.hasAttribute("data-resubmit")) { ev.preventDefault(); return; }
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) { b.setAttribute("aria-busy", "true"); });
    window.setTimeout(function () { form.dataset.sent = ""; }, 8000);
  });
  // Fill a textarea from a response template: <select data-fill="#id">.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.matches("select[data-fill]") && el.value) {
      var target = document.querySelector(el.getAttribute("data-fill"));
      if (target) { target.value = el.value; target.focus(); }
    }
    if (el.matches("form[data-autosubmit] select, form[data-autosubmit] input[type=checkbox]")) {
      el.form.requestSubmit();
    }
  });
  // The staff side navigation as a drawer on phones (without script, #sidenav:target opens it).
  var sidenav = document.getElementById("sidenav");
  if (sidenav) {
    var openers = document.querySelectorAll("[aria-controls=sidenav]");
    var setOpen = function (open) {
      sidenav.classList.toggle("open", open);
      openers.forEach(function (b) { b.setAttribute("aria-expanded", open ? "true" : "false"); });
      if (open) { var first = sidenav.querySelector("a:not(.sidenav-close)"); if (first) first.focus(); }
    };
    openers.forEach(function (b) {
      b.addEventListener("click", function (ev) { ev.preventDefault(); setOpen(!sidenav.classList.contains("open")); });
    });
    var closer = sidenav.querySelector(".sidenav-close");
    if (closer) closer.addEventListener("click", function (ev) { ev.preventDefault(); setOpen(false); });
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") setOpen(false); });
    document.addEventListener("click", function (ev) {
      if (sidenav.classList.contains("open") && !sidenav.contains(ev.target) && !ev.target.closest("[aria-controls=sidenav]")) setOpen(false);
    });
  }
})();
