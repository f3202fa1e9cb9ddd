// OpenCity maps (Leaflet). Ward boundaries are always drawn, so a map stays legible where
// tiles cannot load; tiles come from the configured tile URL (OpenStreetMap by default, none
// in tests).
(function () {
  "use strict";
  var STATUS_LABEL = { new: "Mới", assigned: "Đã chuyển", in_progress: "Đang xử lý", resolved: "Đã xử lý", closed: "Đã đóng" };

  function baseMap(el, zoom) {
    var center = (el.dataset.center || "16.4637,107.5909").split(",").map(Number);
    var map = L.map(el, { zoomControl: true, maxZoom: 19, minZoom: 8, attributionControl: !!el.dataset.tiles }).setView(center, zoom || 13);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    if (el.dataset.areasUrl) {
      fetch(el.dataset.areasUrl).then(function (r) { return r.json(); }).then(function (gj) {
        var layer = L.geoJSON(gj, {
          style: { color: "#6b3fa0", weight: 1.2, fillColor: "#b9a3d6", fillOpacity: el.dataset.tiles ? 0.05 : 0.18 },
          onEachFeature: function (f, lyr) {
            lyr.bindTooltip(f.properties.name, { permanent: !el.dataset.tiles && map.getZoom() >= 12, direction: "center", className: "area-label" });
          }
        }).addTo(map);
        layer.bringToBack();
        el._areas = layer;
      }).catch(function () {});
    }
    return map;
  }

  function pinIcon(status) {
    return L.divIcon({ className: "", html: '<div class="pin pin-' + status + '"></div>', iconSize: [18, 18], iconAnchor: [9, 18] });
  }

  // The public map asks the server for the reports in its viewport on every move: points
  // when zoomed in (grouped on the client by markercluster), server-side clusters when zoomed out
  // (counted in SQL per grid cell; a tap zooms in on the cluster).
  function clusterIcon(count) {
    var size = count < 100 ? "small" : (count < 1000 ? "medium" : "large");
    var px = count < 100 ? 36 : (count < 1000 ? 44 : 54);
    var text = count >= 10000 ? Math.round(count / 1000) + "k" : String(count);
    return L.divIcon({ className: "marker-cluster marker-cluster-" + size, html: "<div><span>" + text + "</span></div>", iconSize: [px, px] });
  }

  function pointMarker(el, f) {
    var c = f.geometry.coordinates;
    var m = L.marker([c[1], c[0]], { icon: pinIcon(f.properties.status), title: f.properties.category });
    var link = document.createElement("a");
    link.href = "/reports/" + f.properties.id + "/";
    link.textContent = f.properties.category;
    var box = document.createElement("div");
    box.appendChild(link);
    var meta = document.createElement("div");
    meta.className = "small muted";
    meta.textContent = f.properties.created + " · " + (el.dataset["label_" + f.properties.status] || STATUS_LABEL[f.properties.status] || f.properties.status);
    box.appendChild(meta);
    if (f.properties.approx && el.dataset.labelApprox) {  // placed from a typed address, not a pin
      var approx = document.createElement("div");
      approx.className = "small place-approx";
      approx.textContent = el.dataset.labelApprox;
      box.appendChild(approx);
    }
    m.bindPopup(box);
    return m;
  }

  function publicMap(el) {
    var map = baseMap(el, 12);
    var points = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
    var clusters = L.layerGroup();
    map.addLayer(points);
    map.addLayer(clusters);
    var form = document.querySelector(el.dataset.filters || "#map-filters");
    var seq = 0;
    function load() {
      var params = form ? new URLSearchParams(new FormData(form)) : new URLSearchParams();
      var b = map.getBounds();
      params.set("bbox", [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()].map(function (x) { return x.toFixed(5); }).join(","));
      params.set("zoom", String(Math.round(map.getZoom())));
      var mine = ++seq;
      fetch(el.dataset.pointsUrl + "?" + params.toString()).then(function (r) { return r.json(); }).then(function (gj) {
        if (mine !== seq) return;  // a later move asked again
        points.clearLayers();
        clusters.clearLayers();
        if (gj.mode === "clusters") {
          gj.features.forEach(function (f) {
            var c = f.geometry.coordinates;
            var m = L.marker([c[1], c[0]], { icon: clusterIcon(f.properties.count), keyboard: false });
            m.on("click", function () { map.setView([c[1], c[0]], Math.min(map.getZoom() + 2, map.getMaxZoom())); });
            clusters.addLayer(m);
          });
        } else {
          points.addLayers(gj.features.map(function (f) { return pointMarker(el, f); }));
        }
        var counter = document.querySelector("[data-map-count]");
        if (counter) { counter.textContent = Number(gj.count).toLocaleString(document.documentElement.lang || "vi") + (gj.more ? "+" : ""); }
      }).catch(function () {});
    }
    map.on("moveend", load);
    if (form) {
      form.addEventListener("change", load);
      form.addEventListener("submit", function (ev) { ev.preventDefault(); load(); });
    }
    load();
  }

  // The report form's map. The pin is "exact" when the person put it (tap, drag, their
  // location, a photo's GPS, or "the pin is in the right place"), "address" while it stands
  // where the geocoder put a typed address: drawn hollow, and the form asks to confirm or drag.
  function pickIcon(precision) {
    var cls = "pin pin-pick" + (precision && precision !== "exact" ? " pin-approx" : "");
    return L.divIcon({ className: "", html: '<div class="' + cls + '" data-precision="' + (precision || "exact") + '"></div>', iconSize: [26, 26], iconAnchor: [13, 26] });
  }

  function pickMap(el) {
    var lat = document.querySelector(el.dataset.lat);
    var lon = document.querySelector(el.dataset.lon);
    var precisionInput = el.dataset.precision ? document.querySelector(el.dataset.precision) : null;
    var map = baseMap(el, 14);
    var marker = null;
    function place(latlng, pan, precision) {
      precision = precision || "exact";
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, icon: pickIcon(precision) }).addTo(map);
        marker.on("dragend", function () { place(marker.getLatLng(), false, "exact"); });
      } else {
        marker.setLatLng(latlng);
        marker.setIcon(pickIcon(precision));
      }
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      if (precisionInput) precisionInput.value = precision;
      if (pan) { map.setView(latlng, Math.max(map.getZoom(), 16)); }
      el.dispatchEvent(new CustomEvent("opencity:place", { bubbles: true, detail: { lat: lat.value, lon: lon.value, precision: precision } }));
    }
    map.on("click", function (ev) { place(ev.latlng, false, "exact"); });
    el.addEventListener("opencity:set-place", function (ev) { place(L.latLng(ev.detail.lat, ev.detail.lon), true, ev.detail.precision); });
    el.addEventListener("opencity:confirm", function () { if (marker) place(marker.getLatLng(), false, "exact"); });
    el.addEventListener("opencity:center", function (ev) { map.setView([ev.detail.lat, ev.detail.lon], 15); });
    if (lat.value && lon.value) { place(L.latLng(+lat.value, +lon.value), true, precisionInput && precisionInput.value); }
  }

  // A report's place. Only its ward known ("area"): no pin at the ward's centre, which would
  // say "here" of a place nobody knows; the page says "approximate place: <ward>".
  function pointMap(el) {
    var precision = el.dataset.precision || "exact";
    var map = baseMap(el, precision === "area" ? 13 : 15);
    if (precision === "area") return;
    var status = el.dataset.status || "new";
    var icon = pinIcon(status + (precision === "address" ? " pin-approx" : ""));
    L.marker((el.dataset.center || "").split(",").map(Number), { icon: icon, keyboard: false }).addTo(map);
  }

  // Warnings: wards and communes coloured by the severity of the warning over them
  // (data-targets-url: GeoJSON with properties.severity and .warnings), or, in the composer,
  // the wards chosen with the checkboxes inside data-pick (a tap on a ward ticks its box).
  var SEVERITY_COLOR = { Extreme: "#7b1010", Severe: "#d32f2f", Moderate: "#ef6c00", Minor: "#f2b705", Unknown: "#757575" };

  function warningPopup(f) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = f.properties.name;
    box.appendChild(name);
    (f.properties.warnings || []).forEach(function (w) {
      var line = document.createElement("div");
      var link = document.createElement("a");
      link.href = w.url;
      link.textContent = w.headline;
      line.appendChild(link);
      box.appendChild(line);
    });
    return box;
  }

  function pickAreas(el, map) {
    var container = document.querySelector(el.dataset.pick);
    var whole = el.dataset.whole ? document.querySelector(el.dataset.whole) : null;
    var layers = {};
    function box(id) { return container ? container.querySelector('input[name="areas"][value="' + id + '"]') : null; }
    function restyle() {
      var all = whole && whole.checked;
      Object.keys(layers).forEach(function (id) {
        var cb = box(id);
        var on = all || (cb && cb.checked);
        layers[id].setStyle(on ? { color: "#b3261e", weight: 2, fillColor: "#e53935", fillOpacity: 0.5 }
                               : { color: "#6b3fa0", weight: 1, fillColor: "#b9a3d6", fillOpacity: 0.12 });
      });
    }
    fetch(el.dataset.pickUrl).then(function (r) { return r.json(); }).then(function (gj) {
      var layer = L.geoJSON(gj, {
        onEachFeature: function (f, lyr) {
          layers[f.properties.id] = lyr;
          lyr.bindTooltip(f.properties.name, { sticky: true });
          lyr.on("click", function () {
            var cb = box(f.properties.id);
            if (!cb || cb.disabled) return;
            cb.checked = !cb.checked;
            cb.dispatchEvent(new Event("change", { bubbles: true }));
          });
        }
      }).addTo(map);
      if (gj.features.length) map.fitBounds(layer.getBounds(), { padding: [6, 6] });
      restyle();
    }).catch(function () {});
    document.addEventListener("change", function (ev) {
      if (ev.target === whole || (container && container.contains(ev.target)) || ev.target === container) restyle();
    });
  }

  function areasMap(el) {
    var map = baseMap(el, 9);
    map.options.zoomSnap = 0.25;  // fit a whole province snugly in a small box
    el._map = map;
    if (el.dataset.pick) { pickAreas(el, map); return; }
    fetch(el.dataset.targetsUrl).then(function (r) { return r.json(); }).then(function (gj) {
      var layer = L.geoJSON(gj, {
        style: function (f) {
          var c = SEVERITY_COLOR[f.properties.severity] || SEVERITY_COLOR.Unknown;
          return { color: c, weight: 2, fillColor: c, fillOpacity: 0.5 };
        },
        onEachFeature: function (f, lyr) {
          lyr.bindPopup(warningPopup(f));
          lyr.bindTooltip(f.properties.name, { sticky: true });
        }
      }).addTo(map);
      if (gj.features.length) map.fitBounds(layer.getBounds(), { padding: [12, 12], maxZoom: 12 });
      else if (el._areas) map.fitBounds(el._areas.getBounds());
    }).catch(function () {});
  }

  // Rescue dispatch (data-map="dispatch"): open requests (red) and rescue teams (blue) from
  // data-points-url. Redrawn whenever the board's list changes (board.js fires
  // "opencity:dispatch-changed" on the live stream's news), and every 30 s for the teams' moves.
  function dispatchMap(el) {
    var map = baseMap(el, 11);
    var layer = L.layerGroup().addTo(map);
    var fitted = false, loads = 0;
    function load() {
      fetch(el.dataset.pointsUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (gj) {
        layer.clearLayers();
        var bounds = [];
        gj.features.forEach(function (f) {
          var c = f.geometry.coordinates;
          var team = f.properties.kind === "team";
          var approx = !team && f.properties.approx;  // placed from a typed place: a dashed ring
          var m = L.circleMarker([c[1], c[0]], { radius: team ? 9 : (approx ? 9 : 7), color: team ? "#0d47a1" : "#b3261e", weight: 2,
            dashArray: approx ? "3 2" : null,
            fillColor: team ? "#42a5f5" : (f.properties.status === "new" ? "#e53935" : "#ff9800"), fillOpacity: approx ? 0.25 : 0.9 });
          m.bindTooltip((team ? el.dataset.labelTeam : el.dataset.labelRequest) + " · " + f.properties.label +
            (approx ? " · " + el.dataset.labelApprox : ""));
          layer.addLayer(m);
          bounds.push([c[1], c[0]]);
        });
        if (!fitted && bounds.length) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 }); fitted = true; }
        el.dataset.points = String(gj.features.length);
        el.dataset.loads = String(++loads);
      }).catch(function () {});
    }
    load();
    document.addEventListener("opencity:dispatch-changed", load);
    setInterval(load, 30000);
  }

  // An incident (data-map="incident"): its wards coloured on the base map, and switchable
  // layers of rescue requests (by urgency), teams, shelters (with occupancy) and assets from
  // data-points-url, refreshed every 30 s.
  function incidentMap(el) {
    var map = baseMap(el, 11);
    var groups = {
      rescue: L.layerGroup().addTo(map), team: L.layerGroup().addTo(map),
      shelter: L.layerGroup().addTo(map), asset: L.layerGroup().addTo(map)
    };
    var overlays = {};
    Object.keys(groups).forEach(function (k) { overlays[el.dataset["label" + k[0].toUpperCase() + k.slice(1)] || k] = groups[k]; });
    L.control.layers(null, overlays, { collapsed: el.clientWidth < 600 }).addTo(map);
    var data = null, fitted = false, loads = 0;
    function colourWards() {
      if (!data || !el._areas) return;
      var wards = {}, warned = {};
      data.wards.forEach(function (id) { wards[id] = true; });
      (data.warning_wards || []).forEach(function (id) { warned[id] = true; });
      var bounds = [];
      el._areas.eachLayer(function (lyr) {
        var id = lyr.feature && lyr.feature.properties.id;
        if (wards[id]) { lyr.setStyle({ color: "#b3261e", weight: 2, fillColor: "#e57373", fillOpacity: 0.28 }); bounds.push(lyr.getBounds()); }
        else if (warned[id]) lyr.setStyle({ color: "#ef6c00", weight: 2, dashArray: "5 4", fillColor: "#ffb74d", fillOpacity: 0.15 });
      });
      if (!fitted && bounds.length) {
        var b = bounds[0];
        bounds.forEach(function (x) { b = b.extend(x); });
        map.fitBounds(b, { padding: [16, 16], maxZoom: 14 });
        fitted = true;
      }
    }
    function draw() {
      Object.keys(groups).forEach(function (k) { groups[k].clearLayers(); });
      data.features.forEach(function (f) {
        var c = f.geometry.coordinates, p = f.properties, m;
        if (p.layer === "rescue") {
          var hot = p.open && p.urgency >= 40;
          m = L.circleMarker([c[1], c[0]], { radius: hot ? 9 : 7, color: "#b3261e", weight: 2, dashArray: p.approx ? "3 2" : null,
            fillColor: !p.open ? "#9e9e9e" : (hot ? "#c62828" : "#ff9800"), fillOpacity: p.approx ? 0.3 : 0.9 });
          m.bindTooltip(p.label + (p.approx ? " · " + el.dataset.labelApprox : ""));
        } else if (p.layer === "team") {
          m = L.circleMarker([c[1], c[0]], { radius: 9, color: "#0d47a1", weight: 2, fillColor: "#42a5f5", fillOpacity: 0.9 });
          m.bindTooltip(p.label + " · " + p.status_label);
        } else if (p.layer === "shelter") {
          var full = p.capacity ? p.present / p.capacity : 0;
          m = L.marker([c[1], c[0]], { icon: L.divIcon({ className: "", iconSize: [30, 22], iconAnchor: [15, 11],
            html: '<div class="shelter-pin' + (full >= 1 ? " shelter-full" : (full >= 0.8 ? " shelter-near" : "")) + '">' + p.present + "</div>" }) });
          m.bindTooltip(p.label + " · " + p.present + " / " + p.capacity + " " + el.dataset.labelPeople);
        } else if (p.layer === "asset") {
          m = L.marker([c[1], c[0]], { icon: L.divIcon({ className: "", iconSize: [14, 14], iconAnchor: [7, 7], html: '<div class="asset-pin"></div>' }) });
          m.bindTooltip(p.label);
        }
        if (m && groups[p.layer]) groups[p.layer].addLayer(m);
      });
      colourWards();
      el.dataset.points = String(data.features.length);
      el.dataset.loads = String(++loads);
    }
    function load() {
      fetch(el.dataset.pointsUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (gj) { data = gj; draw(); }).catch(function () {});
    }
    load();
    var wait = setInterval(function () { if (el._areas) { colourWards(); clearInterval(wait); } }, 300);
    setInterval(load, 30000);
  }

  document.querySelectorAll("[data-map]").forEach(function (el) {
    var kind = el.dataset.map;
    if (kind === "public") publicMap(el);
    else if (kind === "pick") pickMap(el);
    else if (kind === "point") pointMap(el);
    else if (kind === "areas") areasMap(el);
    else if (kind === "dispatch") dispatchMap(el);
    else if (kind === "incident") incidentMap(el);
  });
})();
