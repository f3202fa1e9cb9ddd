// The report form: device location, the place from a photo's GPS, typed addresses (old ward
// names are understood), and "follow this one instead" when a similar report is nearby.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var mapEl = document.getElementById("pick-map");
  var status = document.getElementById("place-status");
  function say(text) { if (status) status.textContent = text; }
  function setPlace(lat, lon) {
    mapEl.dispatchEvent(new CustomEvent("opencity:set-place", { detail: { lat: lat, lon: lon } }));
  }
  var locate = document.getElementById("use-location");
  if (locate) {
    locate.addEventListener("click", function () {
      if (!navigator.geolocation) { say(locate.dataset.unsupported); return; }
      say(locate.dataset.finding);
      navigator.geolocation.getCurrentPosition(function (pos) {
        setPlace(pos.coords.latitude, pos.coords.longitude);
        say(locate.dataset.found);
      }, function () { say(locate.dataset.denied); }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }
  var photos = form.querySelector("input[type=file][name=photos]");
  if (photos) {
    photos.addEventListener("change", function () {
      var file = photos.files && photos.files[0];
      var lat = document.getElementById("id_lat");
      if (!file || (lat && lat.value)) return;
      var data = new FormData();
      data.append("photo", file);
      fetch(photos.dataset.probeUrl, { method: "POST", body: data, headers: { "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value } })
        .then(function (r) { return r.json(); })
        .then(function (res) {
          if (res.found && res.in_city) { setPlace(res.lat, res.lon); say(photos.dataset.fromPhoto + (res.area ? " (" + res.area + ")" : "")); }
        }).catch(function () {});
    });
  }
  var address = document.getElementById("id_address");
  var lookup = document.getElementById("find-address");
  if (address && lookup) {
    lookup.addEventListener("click", function () {
      if (!address.value.trim()) return;
      fetch(lookup.dataset.url + "?q=" + encodeURIComponent(address.value)).then(function (r) { return r.json(); }).then(function (res) {
        if (res.found) {
          mapEl.dispatchEvent(new CustomEvent("opencity:center", { detail: { lat: res.lat, lon: res.lon } }));
          say(lookup.dataset.foundPrefix + " " + res.area + ". " + lookup.dataset.pinHint);
        } else { say(res.message); }
      });
    });
  }
  function checkNearby() {
    var lat = document.getElementById("id_lat").value, lon = document.getElementById("id_lon").value;
    var category = document.getElementById("id_category").value;
    var box = document.getElementById("nearby");
    if (!lat || !lon || !box || !window.htmx) return;
    window.htmx.ajax("GET", box.dataset.url + "?lat=" + lat + "&lon=" + lon + "&category=" + category, { target: "#nearby", swap: "innerHTML" });
  }
  if (mapEl) mapEl.addEventListener("opencity:place", checkNearby);
  var category = document.getElementById("id_category");
  if (category) category.addEventListener("change", checkNearby);
})();
