// Rescue dispatch board: the list stays live (issue #14). The console's server-sent events
// (ioc/live.py, through the htmx sse extension) say when a rescue request is filed or changes;
// the list is then fetched again (coalesced) and swapped in, keeping any row the operator is
// working in (focus inside, or an open "Cancel…"). If the stream is down, a slow poll (30 s)
// keeps the list fresh. A request that arrives while the page is open beeps (Web Audio, no
// files; a mute toggle kept in localStorage) and puts "(n) New rescue request — …" in the
// title until it is acknowledged or the operator presses "Seen". No inline script (CSP).
(function () {
  "use strict";
  var box = document.getElementById("dispatch-live");
  if (!box) return;
  var listUrl = box.dataset.listUrl;
  var alertBox = document.getElementById("dispatch-alert");
  var alertText = document.getElementById("dispatch-alert-text");
  var seenButton = document.getElementById("dispatch-seen");
  var soundButton = document.getElementById("dispatch-sound");
  var hint = document.getElementById("dispatch-sound-hint");
  var baseTitle = document.title;
  var MUTE_KEY = "opencity.dispatch.muted";
  var POLL_MS = 30000;

  var known = {};   // ids seen on this page
  var unseen = {};  // ids that arrived while the page was open, not yet acknowledged or seen
  var streamUp = false, downSince = 0;
  var timer = null, inFlight = false, again = false;

  function rows(root) { return (root || document).querySelectorAll("[data-testid=dispatch-row]"); }
  Array.prototype.forEach.call(rows(), function (r) { known[r.dataset.id] = true; });

  // --- sound -------------------------------------------------------------------------------
  var audio = null;
  function muted() { try { return localStorage.getItem(MUTE_KEY) === "1"; } catch (e) { return false; } }
  function unlock() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!audio) { try { audio = new Ctx(); } catch (e) { return; } }
    if (audio.state === "suspended") audio.resume();
    if (hint) hint.hidden = true;
  }
  function beep() {
    if (muted()) return;
    if (!audio || audio.state !== "running") { if (hint) hint.hidden = false; return; }
    var t = audio.currentTime;
    [0, 0.25, 0.5].forEach(function (d, i) {
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.type = "square";
      osc.frequency.value = i === 1 ? 660 : 880;
      gain.gain.setValueAtTime(0.0001, t + d);
      gain.gain.exponentialRampToValueAtTime(0.2, t + d + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + d + 0.2);
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(t + d); osc.stop(t + d + 0.22);
    });
  }
  function showSound() {
    if (!soundButton) return;
    var off = muted();
    soundButton.setAttribute("aria-pressed", off ? "false" : "true");
    soundButton.classList.toggle("is-off", off);
    soundButton.querySelector("span").textContent = off ? soundButton.dataset.off : soundButton.dataset.on;
  }
  if (soundButton) soundButton.addEventListener("click", function () {
    try { localStorage.setItem(MUTE_KEY, muted() ? "0" : "1"); } catch (e) { /* private mode */ }
    showSound();
    unlock();
  });
  showSound();
  // Browsers start audio only after a gesture on the page: the first click or key unlocks it.
  document.addEventListener("pointerdown", unlock, { once: true, capture: true });
  document.addEventListener("keydown", unlock, { once: true, capture: true });

  // --- the title and the banner ----------------------------------------------------------
  function showAlert() {
    var ids = Object.keys(unseen);
    if (!ids.length) {
      document.title = baseTitle;
      if (alertBox) alertBox.hidden = true;
      return;
    }
    document.title = "(" + ids.length + ") " + alertBox.dataset.title + " — " + baseTitle;
    alertBox.hidden = false;
    var refs = ids.map(function (id) {
      var row = document.querySelector("[data-testid=dispatch-row][data-id='" + id + "'] strong");
      return row ? row.textContent.split(" · ")[0] : "SOS-" + id;
    });
    alertText.textContent = (ids.length === 1 ? box.dataset.newOne : box.dataset.newMany) + " " + refs.join(", ");
  }
  if (seenButton) seenButton.addEventListener("click", function () { unseen = {}; showAlert(); });

  // --- the list ----------------------------------------------------------------------------
  function busy(row) {
    var active = document.activeElement;
    return (active && active !== document.body && row.contains(active)) || !!row.querySelector("details[open]");
  }

  function swap(html) {
    var current = document.getElementById("dispatch-list");
    var tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    var fresh = tpl.content.querySelector("#dispatch-list");
    if (!current || !fresh) return;
    // keep the rows the operator is working in (same request, same version)
    Array.prototype.forEach.call(rows(current), function (old) {
      if (!busy(old)) return;
      var next = fresh.querySelector("[data-testid=dispatch-row][data-id='" + old.dataset.id + "']");
      if (next && next.dataset.version === old.dataset.version) next.replaceWith(old);
    });
    var arrived = false;
    Array.prototype.forEach.call(rows(fresh), function (r) {
      if (!known[r.dataset.id]) {
        known[r.dataset.id] = true;
        if (r.dataset.status === "new") { unseen[r.dataset.id] = true; arrived = true; r.classList.add("sos-arrived"); }
      }
    });
    current.replaceWith(fresh);
    box.dataset.refreshed = String(Number(box.dataset.refreshed || 0) + 1);
    document.dispatchEvent(new CustomEvent("opencity:dispatch-changed"));  // the map redraws (map.js)
    if (window.htmx) window.htmx.process(fresh);
    // acknowledged (or gone) requests no longer call for attention
    Object.keys(unseen).forEach(function (id) {
      var r = fresh.querySelector("[data-testid=dispatch-row][data-id='" + id + "']");
      if (!r || r.dataset.status !== "new") delete unseen[id];
    });
    showAlert();
    if (arrived) beep();
  }

  function refresh() {
    timer = null;
    if (inFlight) { again = true; return; }
    inFlight = true;
    fetch(listUrl, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) swap(html); })
      .catch(function () { /* the next event or poll tries again */ })
      .then(function () {
        inFlight = false;
        if (again) { again = false; schedule(300); }
      });
  }
  function schedule(ms) { if (!timer) timer = setTimeout(refresh, ms); }

  // --- the stream, and the slow poll when it is down -------------------------------------
  document.body.addEventListener("htmx:sseOpen", function (e) {
    if (!box.contains(e.target) && e.target !== box) return;
    // Each stream ends after a while and the browser reconnects at once, resuming after the
    // last event; only after a real gap (or on the first open) fetch the list to catch up.
    if (!downSince || Date.now() - downSince > 5000) schedule(300);
    streamUp = true; downSince = 0;
    box.dataset.live = "open";
  });
  document.body.addEventListener("htmx:sseError", function (e) {
    if (e.target !== box) return;
    if (streamUp || !downSince) downSince = Date.now();
    streamUp = false;
    box.dataset.live = "down";
  });
  document.body.addEventListener("htmx:sseMessage", function (e) {
    if (!e.target || e.target.id !== "dispatch-sse") return;
    var msg = e.detail || {};
    if (msg.type === "busy") { streamUp = false; box.dataset.live = "busy"; return; }
    streamUp = true;
    if (typeof msg.data === "string" && msg.data.indexOf('data-kind="rescue.') !== -1) schedule(300);
  });
  setInterval(function () { if (!streamUp) refresh(); }, POLL_MS);
  window.addEventListener("online", function () { schedule(300); });
})();
