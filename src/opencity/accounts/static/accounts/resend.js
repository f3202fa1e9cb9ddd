// "Send the code again": a countdown from the server's wait (the one-per-minute gap and the
// limits' Retry-After, in data-wait); the button is enabled when it reaches zero. Without
// JavaScript the button stays usable and the server says when to come back. No inline scripts.
(function () {
  "use strict";
  document.querySelectorAll("[data-resend]").forEach(function (box) {
    var button = box.querySelector("[data-resend-button]");
    var note = box.querySelector("[data-resend-wait]");
    var seconds = note && note.querySelector("[data-seconds]");
    var left = parseInt(button && button.dataset.wait, 10) || 0;
    if (!button || left <= 0) return;
    button.disabled = true;
    var timer = setInterval(function () {
      left -= 1;
      if (seconds) seconds.textContent = String(Math.max(left, 0));
      if (left <= 0) {
        clearInterval(timer);
        button.disabled = false;
        if (note) note.hidden = true;
      }
    }, 1000);
  });
})();
