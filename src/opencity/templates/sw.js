{% load static %}// OpenCity service worker (docs/offline.md). The cache's name carries a hash of the shell files
// ({{ version }}): a deploy that changes one replaces the whole cache. Static shell files are
// served from the cache; pages are network-first. Only the shell pages a person needs offline
// (home, the report form, the SOS form) are kept, tagged with the person they were made for
// (the X-OpenCity-Viewer header): a page answered for anyone else drops them. Every other page
// offline is the offline page. POSTs are never cached: the outbox (outbox.js) keeps forms.
const VERSION = "{{ version }}";
const SHELL_CACHE = "opencity-shell-" + VERSION;
const PAGES_CACHE = "opencity-pages";
const OFFLINE = "{% url 'offline' %}";
const SHELL_PAGES = [{% for url in shell_pages %}"{{ url }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
const SHELL_FILES = [OFFLINE, {% for path in shell_files %}"{% static path %}"{% if not forloop.last %}, {% endif %}{% endfor %}];
const VIEWER_KEY = "/__opencity-viewer__";
importScripts("{% static 'opencity/outbox.js' %}");

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(SHELL_CACHE).then((c) => c.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});
// Take the open pages at once. The shell pages are fetched when a page says whose they are
// ("warm" below), never here: a fetch sent with a session cookie that a sign-in is replacing
// comes back deleting the cookie (Django drops a cookie whose session is gone), which signed
// people out right after their sign-in.
self.addEventListener("activate", (e) => {
  e.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k.startsWith("opencity-") && k !== SHELL_CACHE && k !== PAGES_CACHE)
    .map((k) => caches.delete(k)))).then(() => self.clients.claim()));
});

function viewerOf(res) { return res.headers.get("X-OpenCity-Viewer") || ""; }

// A page answered for another person (or nobody) than the one the kept pages were made for:
// drop them, so that nobody is ever shown someone else's page from this phone's cache.
async function noteViewer(viewer) {
  if (!viewer) return;
  const pages = await caches.open(PAGES_CACHE);
  const kept = await pages.match(VIEWER_KEY);
  const before = kept ? await kept.text() : null;
  if (before === viewer) return;
  for (const req of await pages.keys()) await pages.delete(req);
  await pages.put(VIEWER_KEY, new Response(viewer));
}

async function keepPage(path, res) {
  if (!res.ok || res.redirected || !SHELL_PAGES.includes(path)) return;
  const viewer = viewerOf(res);
  if (!viewer || viewer === "anon" && path !== "/" && path !== "/sos/") return;
  await noteViewer(viewer);
  await (await caches.open(PAGES_CACHE)).put(path, res);
}

// Fetch the shell pages the cache does not have yet (the person signed in since, or it is new):
// once per person per worker's life, and the report form only for someone signed in. For nobody
// signed in, without cookies: such a fetch can never touch a session a sign-in is changing.
let warmedFor = null;
async function warmPages(viewer) {
  if (!viewer || viewer === warmedFor) return;
  warmedFor = viewer;
  const anon = viewer === "anon";
  const pages = await caches.open(PAGES_CACHE);
  for (const path of SHELL_PAGES) {
    if (anon && path !== "/" && path !== "/sos/") continue;
    if (await pages.match(path)) continue;
    try { await keepPage(path, await fetch(path, { credentials: anon ? "omit" : "same-origin" })); } catch (err) { /* offline */ }
  }
}

// A kept page said so, so that the page's script gives its forms a new one-time token: the one
// in the kept copy may have been used already.
async function fromCache(res) {
  const text = await res.text();
  return new Response(text.replace("<html ", '<html data-from-cache="1" '), { headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function navigate(req) {
  const path = new URL(req.url).pathname;
  try {
    const res = await fetch(req);
    if (res.status >= 500 && res.status !== 503) throw new Error("server");
    const viewer = viewerOf(res);
    if (viewer) {
      await noteViewer(viewer);
      if (!new URL(req.url).search) await keepPage(path, res.clone());
    }
    return res;
  } catch (err) {
    const kept = await (await caches.open(PAGES_CACHE)).match(path);
    if (kept) return fromCache(kept);
    return (await caches.match(OFFLINE)) || new Response("Offline", { status: 503 });
  }
}

self.addEventListener("fetch", (e) => {
  const req = e.request;
  if (req.method !== "GET" || new URL(req.url).origin !== location.origin) return;
  if (req.mode === "navigate") { e.respondWith(navigate(req)); return; }
  if (new URL(req.url).pathname.startsWith("{% get_static_prefix %}")) {
    e.respondWith(caches.open(SHELL_CACHE).then((c) => c.match(req)).then((hit) => hit || fetch(req)));
  }
});

self.addEventListener("message", (e) => {
  if (e.data && e.data.type === "warm") e.waitUntil(warmPages(String(e.data.viewer || "anon")));
  if (e.data && e.data.type === "signed-out") e.waitUntil(noteViewer("anon"));
});

// Background Sync: the network is back and no page may be open; send what the outbox holds for
// the person the kept pages are for (the forms carry their own CSRF token).
self.addEventListener("sync", (e) => {
  if (e.tag !== "opencity-outbox") return;
  e.waitUntil(caches.open(PAGES_CACHE).then((c) => c.match(VIEWER_KEY)).then((r) => (r ? r.text() : ""))
    .then((viewer) => (viewer && viewer !== "anon" ? self.OpenCityOutbox.flush({ viewer: viewer }) : null)));
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
