// The public shelters page's map (Leaflet): one marker per shelter card, read from the cards'
// data attributes (no second request on a slow network). The page works without it: the map
// stays hidden when Leaflet or JavaScript is missing; tiles come from the configured URL.
(function () {
  "use strict";
  var el = document.getElementById("shelters-map");
  if (!el || typeof L === "undefined") return;
  var cards = Array.prototype.slice.call(document.querySelectorAll("[data-testid=shelter-card]"));
  if (!cards.length) return;
  el.hidden = false;
  var map = L.map(el, { maxZoom: 19, minZoom: 8, attributionControl: !!el.dataset.tiles });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  } else if (el.dataset.areasUrl) {
    // Without tiles, the ward boundaries keep the map legible.
    fetch(el.dataset.areasUrl).then(function (r) { return r.json(); }).then(function (gj) {
      L.geoJSON(gj, { style: { color: "#6b3fa0", weight: 1, fillColor: "#b9a3d6", fillOpacity: 0.15 } }).addTo(map).bringToBack();
    }).catch(function () {});
  }
  var bounds = [];
  cards.forEach(function (card) {
    var lat = parseFloat(card.dataset.lat), lon = parseFloat(card.dataset.lon);
    if (isNaN(lat) || isNaN(lon)) return;
    var occ = parseInt(card.dataset.occupancy, 10), cap = parseInt(card.dataset.capacity, 10);
    var ratio = cap ? occ / cap : 1;
    var cls = "shelter-marker" + (ratio >= 0.9 ? " shelter-marker-full" : ratio >= 0.7 ? " shelter-marker-high" : "");
    var text = occ + "/" + cap;
    var icon = L.divIcon({ className: cls, html: text, iconSize: [10 + text.length * 7, 22], iconAnchor: [5 + text.length * 3.5, 11] });
    var marker = L.marker([lat, lon], { icon: icon, title: card.dataset.name }).addTo(map);
    marker.bindTooltip(card.dataset.name);
    marker.on("click", function () { card.scrollIntoView({ behavior: "smooth", block: "center" }); });
    bounds.push([lat, lon]);
  });
  if (bounds.length === 1) map.setView(bounds[0], 15);
  else map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
  el.dataset.markers = String(bounds.length);
})();
