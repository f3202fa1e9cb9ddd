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

  if (locate) locate.addEventListener("click", function () {
    if (!navigator.geolocation) { say(locate.dataset.denied); openMap(); return; }
    say(locate.dataset.finding);
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lon.value = pos.coords.longitude.toFixed(6);
      say(locate.dataset.found + " (" + lat.value + ", " + lon.value + ")");
    }, function () { say(locate.dataset.denied); openMap(); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  // Sending twice is harmless (the same client_token), but say it is on its way.
  var form = document.querySelector("[data-testid=sos-form]");
  if (form) form.addEventListener("submit", function () {
    var button = form.querySelector("[data-testid=sos-send]");
    if (button) button.setAttribute("aria-busy", "true");
  });
})();
