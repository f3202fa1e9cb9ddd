{% load static %}// OpenCity service worker: the app shell works offline; pages are network-first.
const CACHE = "opencity-v1";
const SHELL = ["/", "{% static 'opencity/app.css' %}", "{% static 'opencity/app.js' %}", "{% static 'vendor/htmx/htmx.min.js' %}", "{% static 'opencity/icon.svg' %}"];
self.addEventListener("install", (e) => e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL))));
self.addEventListener("activate", (e) => e.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))));
self.addEventListener("fetch", (e) => {
  const req = e.request;
  if (req.method !== "GET" || new URL(req.url).origin !== location.origin) return;
  if (req.url.includes("/static/")) {
    e.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
    return;
  }
  if (req.mode === "navigate") {
    e.respondWith(fetch(req).catch(() => caches.match("/")));
  }
});
// Warnings pushed by the server (opencity.alerts): show them, and open the warning's page on a tap.
self.addEventListener("push", (e) => {
  let data = {};
  try { data = e.data ? e.data.json() : {}; } catch (err) { data = { body: e.data ? e.data.text() : "" }; }
  const urgent = data.severity === "Extreme" || data.severity === "Severe";
  e.waitUntil(self.registration.showNotification(data.title || "{{ SITE_NAME|escapejs }}", {
    body: data.body || "", tag: data.tag || "warning", renotify: !!data.renotify, requireInteraction: urgent,
    icon: "{% static 'opencity/icon-192.png' %}", badge: "{% static 'opencity/icon-192.png' %}",
    data: { url: data.url || "/warnings/" }, lang: data.lang || "vi",
  }));
});
self.addEventListener("notificationclick", (e) => {
  e.notification.close();
  let url = new URL((e.notification.data && e.notification.data.url) || "/warnings/", self.location.origin);
  if (url.origin !== self.location.origin) url = new URL("/warnings/", self.location.origin);
  e.waitUntil(clients.matchAll({ type: "window", includeUncontrolled: true }).then((list) => {
    for (const c of list) { if (c.url === url.href && "focus" in c) return c.focus(); }
    return clients.openWindow(url.href);
  }));
});
