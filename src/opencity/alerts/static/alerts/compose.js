// Warning composer: select a whole group of wards, keep the count of the chosen ones, and
// grey out the list when the whole city is chosen. The map (map.js, data-map="areas") follows
// the same checkboxes.
(function () {
  "use strict";
  var box = document.getElementById("target-areas");
  if (!box) return;
  var whole = document.getElementById("id_whole_city");
  var count = document.querySelector("[data-selected-count]");

  function refresh() {
    var n = box.querySelectorAll("input[name=areas]:checked").length;
    var all = whole && whole.checked;
    box.classList.toggle("disabled", !!all);
    box.querySelectorAll("input[name=areas]").forEach(function (cb) { cb.disabled = !!all; });
    if (count) {
      count.textContent = n;
      count.parentElement.classList.toggle("hidden", !!all);
    }
  }

  box.addEventListener("click", function (ev) {
    var button = ev.target.closest("[data-select-group], [data-clear-group]");
    if (!button) return;
    ev.preventDefault();
    var on = button.hasAttribute("data-select-group");
    button.closest("fieldset").querySelectorAll("input[name=areas]").forEach(function (cb) { cb.checked = on; });
    box.dispatchEvent(new Event("change", { bubbles: true }));
  });
  document.addEventListener("change", function (ev) {
    if (ev.target === whole || box.contains(ev.target) || ev.target === box) refresh();
  });
  refresh();
})();
