// The report form: device location, the place from a photo's GPS, typed addresses (a street
// address placed by the geocoder is an approximate pin until the person confirms or drags it),
// "follow this one instead" when a similar report is nearby, and photos uploaded once each:
// checked for type and size here, their GPS read from the original (exifr), shrunk on a canvas,
// then sent with a progress bar to the staging endpoint; the form sends only their ids.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var mapEl = document.getElementById("pick-map");
  var status = document.getElementById("place-status");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var MAX_EDGE = 2048, QUALITY = 0.85, TYPES = ["image/jpeg", "image/png", "image/webp"];

  function say(text) { if (status) status.textContent = text; }
  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (m, key) { return key in values ? values[key] : m; });
  }
  function hasPin() { var lat = document.getElementById("id_lat"); return !!(lat && lat.value); }
  function setPlace(lat, lon, precision) {
    mapEl.dispatchEvent(new CustomEvent("opencity:set-place", { detail: { lat: lat, lon: lon, precision: precision || "exact" } }));
  }

  // --- where -------------------------------------------------------------------------------
  var locate = document.getElementById("use-location");
  if (locate) {
    locate.addEventListener("click", function () {
      if (!navigator.geolocation) { say(locate.dataset.unsupported); return; }
      say(locate.dataset.finding);
      navigator.geolocation.getCurrentPosition(function (pos) {
        setPlace(pos.coords.latitude, pos.coords.longitude, "exact");
        say(locate.dataset.found);
      }, function () { say(locate.dataset.denied); }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  var confirmBox = document.getElementById("pin-confirm");
  var confirmBtn = document.getElementById("confirm-pin");
  var address = document.getElementById("id_address");
  var lookup = document.getElementById("find-address");
  if (mapEl && confirmBox) {
    mapEl.addEventListener("opencity:place", function (ev) {
      confirmBox.hidden = !(ev.detail && ev.detail.precision === "address");
    });
  }
  var precisionInput = document.getElementById("id_location_precision");
  if (confirmBox && precisionInput && precisionInput.value === "address" && hasPin()) confirmBox.hidden = false;
  if (confirmBtn) {
    confirmBtn.addEventListener("click", function () {
      mapEl.dispatchEvent(new CustomEvent("opencity:confirm"));
      if (lookup) say(lookup.dataset.confirmed);
    });
  }
  if (address && lookup) {
    lookup.addEventListener("click", function () {
      if (!address.value.trim()) return;
      fetch(lookup.dataset.url + "?q=" + encodeURIComponent(address.value), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (res) {
          if (res.found && res.precision === "address") {
            setPlace(res.lat, res.lon, "address");  // approximate until confirmed or dragged
          } else if (res.found) {
            mapEl.dispatchEvent(new CustomEvent("opencity:center", { detail: { lat: res.lat, lon: res.lon } }));
          }
          say(res.message || "");
        }).catch(function () { say(lookup.dataset.failed); });
    });
    address.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { ev.preventDefault(); lookup.click(); }
    });
  }

  // --- photos ------------------------------------------------------------------------------
  var photos = form.querySelector("input[type=file][name=photos]");
  var list = document.getElementById("staged-photos");
  var progress = document.getElementById("photo-progress");
  var errorsBox = document.getElementById("photo-errors");
  var submitBtn = form.querySelector("button[type=submit].btn-block");
  var pending = 0;

  function showError(text) {
    if (!errorsBox) return;
    var p = document.createElement("p");
    p.className = "errorlist";
    p.textContent = text;
    errorsBox.appendChild(p);
  }
  function stagedCount() { return list ? list.querySelectorAll("[data-staged-id]").length : 0; }
  function busy(delta) {
    pending += delta;
    if (submitBtn) submitBtn.disabled = pending > 0;
  }

  function readGps(file) {
    if (!window.exifr || file.type !== "image/jpeg" && file.type !== "image/webp") return Promise.resolve(null);
    return window.exifr.gps(file).then(function (g) {
      return g && isFinite(g.latitude) && isFinite(g.longitude) ? { lat: g.latitude, lon: g.longitude } : null;
    }).catch(function () { return null; });
  }

  function decode(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" }).catch(function () { return createImageBitmap(file); });
    }
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () { resolve(img); };
      img.onerror = reject;
      img.src = URL.createObjectURL(file);
    });
  }

  // Shrink to MAX_EDGE on the longest side as a JPEG (the server keeps no more). A small photo
  // is sent as it is; anything the browser cannot decode is sent as it is for the server to judge.
  function shrink(file) {
    return decode(file).then(function (img) {
      var w = img.width, h = img.height, scale = Math.min(1, MAX_EDGE / Math.max(w, h));
      if (scale === 1 && file.size <= 1024 * 1024) return file;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      if (img.close) img.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          resolve(new File([blob], (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" }));
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });
  }

  // No network (or it failed on the way, or the server did): the outbox keeps the shrunk photo on
  // the phone and sends it with the report when the network returns (outbox.js).
  function keepOffline(file, name, gps) {
    if (!window.OpenCityOutbox || !window.OpenCityOutbox.keepPhoto) return false;
    window.OpenCityOutbox.keepPhoto(file, name, gps);
    return true;
  }

  function upload(file, name, gps) {
    if (navigator.onLine === false && keepOffline(file, name, gps)) return Promise.resolve();
    return new Promise(function (resolve) {
      var row = document.createElement("div");
      row.className = "upload-row";
      var label = document.createElement("span");
      label.textContent = fill(photos.dataset.uploading, { name: name });
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", label.textContent);
      row.appendChild(label);
      row.appendChild(bar);
      progress.appendChild(row);
      var data = new FormData();
      data.append("photo", file, file.name || name);
      data.append("client_token", form.querySelector("[name=client_token]").value);
      if (gps) { data.append("gps_lat", String(gps.lat)); data.append("gps_lon", String(gps.lon)); }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", photos.dataset.stageUrl);
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.upload.onprogress = function (ev) { if (ev.lengthComputable) bar.value = Math.round(100 * ev.loaded / ev.total); };
      xhr.onload = function () {
        row.remove();
        var res = null;
        try { res = JSON.parse(xhr.responseText); } catch (e) { res = null; }
        if (xhr.status >= 500 && keepOffline(file, name, gps)) { resolve(); return; }
        if (xhr.status === 201 && res) {
          list.insertAdjacentHTML("beforeend", res.html);
          if (res.found && res.in_city && !hasPin()) {
            setPlace(res.lat, res.lon, "exact");
            say(photos.dataset.fromPhoto + (res.area ? " (" + res.area + ")" : ""));
          }
        } else {
          showError(res && res.error ? res.error : fill(photos.dataset.failed, { name: name }));
        }
        resolve();
      };
      xhr.onerror = function () {
        row.remove();
        if (!keepOffline(file, name, gps)) showError(fill(photos.dataset.failed, { name: name }));
        resolve();
      };
      xhr.send(data);
    });
  }

  function handle(file) {
    var name = file.name || "photo";
    var mb = Math.floor(+photos.dataset.maxBytes / (1024 * 1024));
    if (TYPES.indexOf(file.type) < 0) { showError(fill(photos.dataset.badType, { name: name })); return Promise.resolve(); }
    if (file.size > +photos.dataset.maxBytes) { showError(fill(photos.dataset.tooLarge, { name: name, mb: mb })); return Promise.resolve(); }
    return readGps(file).then(function (gps) {
      return shrink(file).then(function (small) { return upload(small, name, gps); });
    });
  }

  if (photos && photos.dataset.stageUrl && window.FormData && window.XMLHttpRequest) {
    photos.addEventListener("change", function () {
      var files = Array.prototype.slice.call(photos.files || []);
      photos.value = "";  // sent once, now; the form sends the staged ids, not the files again
      if (errorsBox) errorsBox.textContent = "";
      var room = +photos.dataset.maxCount - stagedCount();
      if (files.length > room) {
        showError(fill(photos.dataset.tooMany, { n: photos.dataset.maxCount }));
        files = files.slice(0, Math.max(room, 0));
      }
      busy(+1);
      files.reduce(function (chain, file) { return chain.then(function () { return handle(file); }); }, Promise.resolve())
        .then(function () { busy(-1); }, function () { busy(-1); });
    });
  }
  // "Remove" under a kept photo: at once with the script; without it, when the form is sent.
  if (list) {
    list.addEventListener("change", function (ev) {
      var box = ev.target;
      if (!box.matches("input[data-remove-url]") || !box.checked || !window.fetch) return;
      fetch(box.dataset.removeUrl, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf } })
        .then(function (r) { if (r.ok || r.status === 404) { var li = box.closest("li"); if (li) li.remove(); } });
    });
  }
  form.addEventListener("submit", function (ev) { if (pending > 0) ev.preventDefault(); });

  // --- nearby ------------------------------------------------------------------------------
  function checkNearby() {
    var lat = document.getElementById("id_lat").value, lon = document.getElementById("id_lon").value;
    var category = document.getElementById("id_category").value;
    var box = document.getElementById("nearby");
    if (!lat || !lon || !box || !window.htmx || navigator.onLine === false) return;  // offline: the outbox keeps it
    var asked = window.htmx.ajax("GET", box.dataset.url + "?lat=" + lat + "&lon=" + lon + "&category=" + category, { target: "#nearby", swap: "innerHTML" });
    if (asked && asked.catch) asked.catch(function () {});  // a network lost on the way: nothing to suggest
  }
  if (mapEl) mapEl.addEventListener("opencity:place", checkNearby);
  var category = document.getElementById("id_category");
  if (category) category.addEventListener("change", checkNearby);
})();
