// Turn web push for warnings on or off on this device: subscribe through the service worker
// (/sw.js) with the server's VAPID public key and send the subscription to the server.
(function () {
  "use strict";
  var box = document.querySelector("[data-push]");
  var button = box && box.querySelector("[data-push-toggle]");
  if (!button) return;
  var status = box.querySelector("[data-push-status]");

  function say(key) { if (status) status.textContent = box.dataset[key] || ""; }
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }
  function keyBytes(b64) {
    var raw = atob((b64 + "===".slice((b64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body)
    }).then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); });
  }
  function show(sub) {
    button.textContent = sub ? box.dataset.labelOff : box.dataset.labelOn;
    button.classList.toggle("btn-light", !!sub);
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    button.disabled = true;
    say("unsupported");
    return;
  }
  var ready = navigator.serviceWorker.register("/sw.js").then(function () { return navigator.serviceWorker.ready; });
  ready.then(function (reg) { return reg.pushManager.getSubscription(); }).then(show).catch(function () {});

  button.addEventListener("click", function () {
    button.disabled = true;
    ready.then(function (reg) {
      return reg.pushManager.getSubscription().then(function (sub) {
        if (sub) {
          return post(box.dataset.unsubscribeUrl, { endpoint: sub.endpoint })
            .then(function () { return sub.unsubscribe(); })
            .then(function () { show(null); say("off"); });
        }
        return Notification.requestPermission().then(function (permission) {
          if (permission !== "granted") { say("denied"); return null; }
          return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.key) })
            .then(function (created) { return post(box.dataset.subscribeUrl, created.toJSON()).then(function () { show(created); say("on"); }); });
        });
      });
    }).catch(function () { say("failed"); }).then(function () { button.disabled = false; });
  });
})();
