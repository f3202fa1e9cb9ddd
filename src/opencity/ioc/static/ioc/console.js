// The IOC console: two charts (ECharts), the map (Leaflet: density by ward, open reports in
// clusters) and the live feed's housekeeping. Data comes from the page (json_script) and
// /ioc/map.json; every chart element and map marker opens the reports behind it.
(function () {
  "use strict";
  var BRAND = "#4a2377", BRAND_SOFT = "#b9a3d6", OK = "#2e7d32", HOT = "#c62828";

  function data(el) { return JSON.parse(document.getElementById(el.dataset.source).textContent); }

  function go(url) { if (url) { window.location.href = url; } }

  // Axis labels and tooltips in the page's language (format.js), not ECharts' "1,802".
  var fmt = (window.OpenCity && window.OpenCity.format) || { number: String, percent: function (v) { return v + "%"; } };

  function chart(el, option, onClick) {
    if (option.tooltip) { option.tooltip.valueFormatter = function (v) { return fmt.number(v); }; }
    [].concat(option.xAxis || [], option.yAxis || []).forEach(function (axis) {
      if (axis.type === "value" && !(axis.axisLabel && axis.axisLabel.formatter)) {
        axis.axisLabel = Object.assign({}, axis.axisLabel, { formatter: function (v) { return fmt.number(v); } });
      }
    });
    var c = echarts.init(el, null, { renderer: "canvas" });
    c.setOption(option);
    c.on("click", onClick);
    window.addEventListener("resize", function () { c.resize(); });
    el.dataset.ready = "1";
    return c;
  }

  function trend(el) {
    var t = data(el).trend;
    var series = ["received", "processed"].map(function (key, i) {
      return { id: key, name: t.names[key], type: "bar", data: t.series[key], itemStyle: { color: i ? BRAND : BRAND_SOFT }, cursor: "pointer" };
    });
    series.push({ id: "on_time_rate", name: t.names.on_time_rate, type: "line", yAxisIndex: 1, data: t.series.on_time_rate, itemStyle: { color: OK }, connectNulls: true, tooltip: { valueFormatter: function (v) { return fmt.percent(v); } } });
    chart(el, {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 40, right: 40, top: 16, bottom: 56 },
      xAxis: { type: "category", data: t.labels, axisLabel: { rotate: 45, fontSize: 10 } },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", max: 100, axisLabel: { formatter: function (v) { return fmt.percent(v, 0); } } }],
      series: series
    }, function (p) { var links = t.links[p.seriesId]; if (links) { go(links[p.dataIndex]); } });
  }

  function categories(el) {
    var c = data(el).categories;
    chart(el, {
      animation: false,
      tooltip: { trigger: "item" },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: c.labels, axisLabel: { width: 150, overflow: "truncate", fontSize: 11 } },
      series: [{ name: c.name, type: "bar", data: c.values, itemStyle: { color: BRAND }, cursor: "pointer" }]
    }, function (p) { go(c.links[p.dataIndex]); });
  }

  function hotline(el) {
    var h = data(el).hotline;
    chart(el, {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 36, right: 8, top: 8, bottom: 48 },
      xAxis: { type: "category", data: h.labels, axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1 },
      series: ["inbound", "outbound"].map(function (key, i) {
        return { name: h.names[key], type: "bar", stack: "calls", data: h.series[key], itemStyle: { color: i ? OK : BRAND } };
      })
    }, function () {});
  }

  function shade(density, max) {
    if (!density || !max) { return 0.04; }
    return 0.08 + 0.6 * Math.sqrt(density / max);
  }

  function consoleMap(el) {
    var map = L.map(el, { minZoom: 8, maxZoom: 19, attributionControl: !!el.dataset.tiles }).setView([16.4637, 107.5909], 11);
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map); }
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45 });
    return Promise.all([
      fetch(el.dataset.areasUrl).then(function (r) { return r.json(); }),
      fetch(el.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); })
    ]).then(function (res) {
      var gj = res[0], d = res[1];
      var max = 0;
      Object.keys(d.areas).forEach(function (k) { max = Math.max(max, d.areas[k].density || 0); });
      var wards = L.geoJSON(gj, {
        style: function (f) {
          var a = d.areas[String(f.properties.id)] || {};
          return { color: BRAND, weight: 1, fillColor: BRAND, fillOpacity: shade(a.density, max) };
        },
        onEachFeature: function (f, layer) {
          var a = d.areas[String(f.properties.id)] || {};
          layer.bindTooltip(f.properties.name + ": " + (a.received || 0) + " " + el.dataset.labelReceived +
            (a.density ? " · " + a.density + " " + el.dataset.labelDensity : ""), { sticky: true });
        }
      }).addTo(map);
      try { map.fitBounds(wards.getBounds(), { padding: [8, 8] }); } catch (e) { /* no boundaries */ }
      cluster.addLayers(d.points.map(function (p) {
        // p: lat, lon, id, status, overdue, approximate (placed by a typed address): a hollow ring
        var colour = p[4] ? HOT : BRAND;
        var m = L.circleMarker([p[0], p[1]], p[5]
          ? { radius: 7, weight: 2, color: colour, dashArray: "3 2", fillOpacity: 0.15, fillColor: colour }
          : { radius: 6, weight: 1, color: "#fff", fillOpacity: 0.9, fillColor: colour });
        var link = document.createElement("a");
        link.href = "/reports/" + p[2] + "/";
        link.textContent = "#" + p[2] + (p[4] ? " · " + el.dataset.labelOverdue : "") + (p[5] ? " · " + el.dataset.labelApprox : "");
        m.bindPopup(link);
        return m;
      }));
      map.addLayer(cluster);
      if (el.dataset.stationsUrl) { stationsLayer(el, map); }
      var unplaced = document.getElementById("map-unplaced");
      if (unplaced && d.unplaced) {
        unplaced.textContent = unplaced.dataset.template.replace("{n}", fmt.number(d.unplaced));
        unplaced.hidden = false;
      }
      el.dataset.points = String(d.points.length);
      el.dataset.ready = "1";
    });
  }

  // Monitoring stations with open events (monitoring/stations.json?open=1): a dot coloured by
  // the worst open event, linking to the station's charts; a layer that can be switched off.
  var SEVERITY = { info: "#1f5fa8", warning: "#c77700", urgent: "#b3261e" };
  function stationsLayer(el, map) {
    fetch(el.dataset.stationsUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (gj) {
      var layer = L.layerGroup(gj.features.map(function (f) {
        var c = f.geometry.coordinates, p = f.properties;
        var m = L.circleMarker([c[1], c[0]], { radius: 9, color: "#fff", weight: 2, fillColor: SEVERITY[p.worst] || HOT, fillOpacity: 0.95 });
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.name + " · " + p.open;
        m.bindPopup(link);
        return m;
      })).addTo(map);
      var overlays = {};
      overlays[el.dataset.labelStations || "Stations"] = layer;
      L.control.layers(null, overlays, { collapsed: false }).addTo(map);
      el.dataset.stations = String(gj.features.length);
    }).catch(function () {});
  }

  // The map is what an operator looks at first: it is started before the charts, whose library
  // (about 600 kB) is fetched once the map's data has come, so it no longer holds the map back.
  function loadCharts() {
    var holder = document.querySelector("script[data-echarts-src]");
    if (!holder || !document.querySelector("[data-chart]")) { return; }
    var script = document.createElement("script");
    script.src = holder.dataset.echartsSrc;
    script.onload = function () {
      document.querySelectorAll("[data-chart=trend]").forEach(trend);
      document.querySelectorAll("[data-chart=categories]").forEach(categories);
      document.querySelectorAll("[data-chart=hotline]").forEach(hotline);
      document.body.dataset.chartsReady = "1";
    };
    document.head.appendChild(script);
  }

  // The live feed keeps its newest 50 lines; the "nothing yet" note goes once a line arrives.
  document.addEventListener("htmx:afterSwap", function (ev) {
    var feed = document.getElementById("live-feed");
    if (!feed || ev.target !== feed) { return; }
    while (feed.children.length > 50) { feed.removeChild(feed.lastElementChild); }
    var empty = document.querySelector(".live-empty");
    if (empty) { empty.remove(); }
  });
  document.addEventListener("htmx:sseOpen", function () { document.body.classList.add("live-on"); });
  document.addEventListener("htmx:sseError", function () { document.body.classList.remove("live-on"); });

  var maps = [].map.call(document.querySelectorAll("[data-console-map]"), consoleMap);
  // charts after the map's data has come (or failed), so they do not share the line with it
  Promise.all(maps.map(function (p) { return p.catch(function () {}); })).then(loadCharts);
})();
