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
