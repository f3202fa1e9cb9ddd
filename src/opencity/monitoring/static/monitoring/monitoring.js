// Monitoring pages: datastream charts (ECharts) with the rule's levels as dashed markLines
// (BĐ1/BĐ2/BĐ3, AQI bands) and an event's episode shaded; the station map (Leaflet), markers
// coloured by the worst open event. Data come from the page (json_script) and stations.json.
(function () {
  "use strict";
  var SEVERITY = { info: "#1f5fa8", warning: "#c77700", urgent: "#b3261e", "": "#6b6876" };
  var BRAND = "#4a2377";
  var fmt = (window.OpenCity && window.OpenCity.format) || { number: function (v, places) { return v === null || v === undefined ? "—" : Number(v).toFixed(places || 0); } };
  var labelsEl = document.querySelector("[data-mon-labels]");
  var labels = labelsEl ? labelsEl.dataset : {};

  function two(n) { return (n < 10 ? "0" : "") + n; }
  // Times in Huế whatever the browser's zone (UTC+7, no daylight saving).
  function local(ms) { return new Date(ms + 7 * 3600 * 1000); }
  function hhmm(ms) { var d = local(ms); return two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()); }
  function ddmm(ms) { var d = local(ms); return two(d.getUTCDate()) + "/" + two(d.getUTCMonth() + 1); }
  function full(ms) { var d = local(ms); return ddmm(ms) + "/" + d.getUTCFullYear() + " " + hhmm(ms); }

  function number(v, decimals) { return fmt.number(v, decimals); }

  function niceStep(range) {
    var raw = range / 5, p = Math.pow(10, Math.floor(Math.log10(raw))), n = raw / p;
    return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10) * p;
  }

  function drawChart(el, d) {
    var span = d.end - d.start;
    var values = d.points.map(function (p) { return p[1]; });
    var lo = Math.min.apply(null, values.length ? values : [0]);
    var hi = Math.max.apply(null, values.length ? values : [1]);
    // keep the levels near the data in view, so a line "BĐ2" shows how far the river is from it
    // (near the data as read, not as widened by a level: the AQI bands would pull each other in)
    var near = hi * 1.6 + 0.5;
    d.levels.forEach(function (lv) { if (lv.value <= near) { hi = Math.max(hi, lv.value); lo = Math.min(lo, lv.value); } });
    // round the axis to a readable step (0,5 m, 20 AQI…); amounts never go below zero
    // a flat series (a reservoir over a quiet day) gets a narrow range around it, not 0–100
    var step = niceStep((hi - lo) || Math.max(Math.abs(hi) * 0.02, 0.1));
    var yMin = Math.floor(lo / step) * step, yMax = Math.ceil(hi / step) * step;
    if (yMax - hi < step * 0.15) yMax += step;
    if (lo >= 0 && yMin < 0) yMin = 0;
    var places = step % 1 === 0 ? 0 : ((step * 10) % 1 === 0 ? 1 : 2);
    // amounts that add up (rainfall) as bars, levels as a line
    var series = d.cumulative ? { type: "bar", name: d.name, data: d.points, itemStyle: { color: "#1f5fa8" }, barMaxWidth: 8 } : {
      type: "line", name: d.name, data: d.points, showSymbol: d.points.length < 40, symbolSize: 4,
      lineStyle: { width: 2, color: BRAND }, itemStyle: { color: BRAND }, areaStyle: { color: "rgba(107,63,160,0.08)" }
    };
    series.markLine = {
        silent: true, symbol: "none",
        data: d.levels.map(function (lv) {
          return { yAxis: lv.value, lineStyle: { type: "dashed", width: 1.5, color: SEVERITY[lv.severity] || SEVERITY[""] },
            label: { formatter: lv.code || lv.name, position: "insideEndTop", color: SEVERITY[lv.severity] || SEVERITY[""], fontWeight: "bold" } };
        })
    };
    if (d.mark) {
      series.markArea = { silent: true, itemStyle: { color: "rgba(179,38,30,0.08)" }, data: [[{ xAxis: d.mark[0] }, { xAxis: d.mark[1] }]] };
    }
    var narrow = el.clientWidth < 480;
    var c = echarts.init(el, null, { renderer: "canvas" });
    c.setOption({
      animation: false,
      grid: { left: 8, right: narrow ? 34 : 44, top: 18, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", formatter: function (ps) {
        var p = ps[0]; if (!p) return "";
        return full(p.value[0]) + "<br>" + d.name + ": <b>" + number(p.value[1], d.decimals) + " " + d.unit + "</b>" + (d.hourly ? " (" + ((d.cumulative ? labels.labelHourlySum : labels.labelHourly) || "") + ")" : "");
      } },
      xAxis: { type: "time", min: d.start, max: d.end, axisLabel: { hideOverlap: true, fontSize: 11, formatter: function (v) { return span > 36 * 3600 * 1000 ? ddmm(v) : hhmm(v); } } },
      yAxis: { type: "value", min: yMin, max: yMax, interval: step,
        axisLabel: { fontSize: 11, formatter: function (v) { return number(v, places); } } },
      series: [series]
    });
    if (!d.points.length && labels.labelEmpty) {
      c.setOption({ graphic: { type: "text", left: "center", top: "middle", style: { text: labels.labelEmpty, fill: "#646072", fontSize: 13 } } });
    }
    window.addEventListener("resize", function () { c.resize(); });
    el.dataset.ready = "1";
    el.dataset.points = String(d.points.length);
  }

  function charts() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-mon-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var d = el.dataset.key ? data[el.dataset.key] : data;
      if (d) drawChart(el, d);
    });
  }

  // The station map: stations as dots coloured by the worst open event, a popup with the last
  // readings and a link to the station's charts.
  function stationMarker(f, openLabel) {
    var c = f.geometry.coordinates, p = f.properties;
    var colour = SEVERITY[p.worst || ""];
    var m = L.circleMarker([c[1], c[0]], { radius: p.worst ? 10 : 7, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 0.95 });
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url; link.textContent = p.name;
    box.appendChild(link);
    var meta = document.createElement("div");
    meta.className = "small muted";
    meta.textContent = p.kind + (p.open ? " · " + p.open + " " + openLabel : "");
    box.appendChild(meta);
    p.last.forEach(function (line) { var div = document.createElement("div"); div.className = "small"; div.textContent = line; box.appendChild(div); });
    m.bindPopup(box);
    m.bindTooltip(p.name);
    return m;
  }

  function stationMap(el) {
    var map = L.map(el, { minZoom: 7, maxZoom: 18, attributionControl: !!el.dataset.tiles }).setView([16.46, 107.59], 10);
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution || "" }).addTo(map);
    if (el.dataset.areasUrl) {
      fetch(el.dataset.areasUrl).then(function (r) { return r.json(); }).then(function (gj) {
        L.geoJSON(gj, { style: { color: "#6b3fa0", weight: 1, fillColor: "#b9a3d6", fillOpacity: el.dataset.tiles ? 0.04 : 0.14 } }).addTo(map).bringToBack();
      }).catch(function () {});
    }
    fetch(el.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (gj) {
      var layer = L.featureGroup(gj.features.map(function (f) { return stationMarker(f, el.dataset.labelOpen || ""); })).addTo(map);
      if (gj.features.length) map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 13 });
      el.dataset.points = String(gj.features.length);
      el.dataset.ready = "1";
    }).catch(function () {});
  }

  window.OpenCityMonitoring = { stationMarker: stationMarker, severityColour: SEVERITY };
  if (typeof L !== "undefined") document.querySelectorAll("[data-mon-map]").forEach(stationMap);
  charts();
})();
