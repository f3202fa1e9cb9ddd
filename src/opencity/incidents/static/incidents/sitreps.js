// Situation reports: a cell refused by the server (409: someone else changed it; 400: not a
// number) comes back as the cell with its message and current value, to be shown in place.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var status = ev.detail.xhr.status;
    var target = ev.detail.target;
    if ((status === 400 || status === 409) && target && target.classList && target.classList.contains("sr-cell")) {
      ev.detail.shouldSwap = true;
      ev.detail.isError = false;
    }
  });
})();
