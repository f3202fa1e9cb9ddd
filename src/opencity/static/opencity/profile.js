// Profile page: send the device's position when the person asks ("find my ward", "share my
// current location"), and the "warnings for where I am" switch. The server turns the position
// into a ward and refuses one outside the city. No inline scripts (strict CSP).
(function () {
  "use strict";
  var status = document.querySelector("[data-locate-status]");

  function say(key) { if (status) status.textContent = status.dataset[key] || ""; }

  function locateAndSubmit(form, button) {
    if (!navigator.geolocation) { say("unsupported"); return; }
    say("finding");
    if (button) button.setAttribute("aria-busy", "true");
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("input[name=lat]").value = pos.coords.latitude.toFixed(6);
      form.querySelector("input[name=lon]").value = pos.coords.longitude.toFixed(6);
      form.submit();
    }, function () {
      if (button) button.removeAttribute("aria-busy");
      say("denied");
      var sw = document.querySelector("[data-location-switch]");
      if (sw && form.hasAttribute("data-share-form") && !document.querySelector("[data-clear-form]")) sw.checked = false;
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  document.querySelectorAll("form[data-locate-form]").forEach(function (form) {
    var button = form.querySelector("[data-locate]");
    if (button) button.addEventListener("click", function () { locateAndSubmit(form, button); });
  });

  var sw = document.querySelector("[data-location-switch]");
  if (sw) sw.addEventListener("change", function () {
    var shareForm = sw.closest("form");
    if (sw.checked) {
      locateAndSubmit(shareForm, shareForm.querySelector("[data-locate]"));
    } else {
      var clearForm = document.querySelector("[data-clear-form]");
      if (clearForm) clearForm.submit();
    }
  });
})();
