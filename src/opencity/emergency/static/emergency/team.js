// Rescue team phone page: "share my position" reads the device location and posts it.
(function () {
  "use strict";
  var button = document.getElementById("share-position");
  var form = document.getElementById("team-position");
  var status = document.getElementById("position-status");
  if (!button || !form) return;
  button.addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = button.dataset.denied; return; }
    status.textContent = button.dataset.finding;
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("pos-lat").value = pos.coords.latitude.toFixed(6);
      document.getElementById("pos-lon").value = pos.coords.longitude.toFixed(6);
      form.submit();
    }, function () { status.textContent = button.dataset.denied; }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
