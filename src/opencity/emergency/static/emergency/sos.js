// SOS form: the device location, or (on request) a small pick map loaded only then, so the
// page stays light on a weak connection. No inline scripts (strict CSP).
(function () {
  "use strict";
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  var status = document.getElementById("sos-place-status");
  var locate = document.getElementById("sos-locate");
  var showMap = document.getElementById("sos-show-map");
  var mapEl = document.getElementById("sos-map");
  if (!lat || !lon) return;

  function say(text) { if (status) status.textContent = text; }

  function load(tag, attrs) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) { el[k] = attrs[k]; });
      el.onload = resolve;
      el.onerror = reject;
      document.head.appendChild(el);
    });
  }

  function openMap() {
    if (!mapEl || mapEl.dataset.map) return Promise.resolve();
    mapEl.hidden = false;
    mapEl.dataset.map = "pick";
    load("link", { rel: "stylesheet", href: showMap.dataset.leafletCss });
    return load("script", { src: showMap.dataset.leaflet }).then(function () {
      return load("script", { src: showMap.dataset.mapjs });
    });
  }

  if (showMap) showMap.addEventListener("click", function () { openMap(); });
  if (mapEl) mapEl.addEventListener("opencity:place", function () { say(locate.dataset.found); });

  function locateNow(done) {
    if (!navigator.geolocation) { say(locate.dataset.denied); openMap(); done(false); return; }
    say(locate.dataset.finding);
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lon.value = pos.coords.longitude.toFixed(6);
      say(locate.dataset.found + " (" + lat.value + ", " + lon.value + ")");
      done(true);
    }, function () { say(locate.dataset.denied); openMap(); done(false); },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  if (locate) locate.addEventListener("click", function () { locateNow(function () {}); });

  // What the phone knows: if the person already allowed location for this site, take it now.
  if (locate && navigator.permissions && navigator.permissions.query) {
    navigator.permissions.query({ name: "geolocation" }).then(function (p) {
      if (p.state === "granted" && !lat.value) locateNow(function () {});
    }).catch(function () {});
  }

  // One tap: "Send" without a place first asks the device for its location, then sends. If it
  // cannot tell, the map opens (or the typed place is used) and nothing is sent yet.
  var form = document.querySelector("[data-testid=sos-form], [data-testid=sos-visitor-form]");
  var typed = document.getElementById("id_place_text");
  var tried = false;
  if (form) form.addEventListener("submit", function (e) {
    var submitter = e.submitter;
    var callback = submitter && submitter.value === "callback";
    if (!callback && !lat.value && !(typed && typed.value.trim()) && !tried && locate) {
      e.preventDefault();
      tried = true;
      locateNow(function (ok) {
        if (ok) {
          if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
        }
      });
      return;
    }
    // Sending twice is harmless (the same client_token), but say it is on its way.
    if (submitter) submitter.setAttribute("aria-busy", "true");
  });
})();
