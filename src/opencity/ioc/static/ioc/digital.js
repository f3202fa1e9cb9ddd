// Digital reports page: show the ward or the unit menu that goes with the chosen level.
// Without JavaScript both menus show and the server uses the one the level needs.
(function () {
  "use strict";
  var form = document.querySelector("[data-digital-form]");
  if (!form) return;
  var level = form.querySelector("[data-level-select]");
  if (!level) return;
  function refresh() {
    form.querySelectorAll("[data-for-level]").forEach(function (field) {
      var on = field.getAttribute("data-for-level") === level.value;
      field.classList.toggle("hidden", !on);
      field.querySelectorAll("select").forEach(function (s) { s.disabled = !on; });
    });
  }
  level.addEventListener("change", refresh);
  refresh();
})();
