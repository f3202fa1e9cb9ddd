// The outbox (docs/offline.md): a report or an SOS written offline, or whose sending failed on
// the network or the server (5xx), is kept in IndexedDB on the phone with its photos (already
// shrunk by submit.js) and its one-time key, shown in the "Chờ gửi" list, and sent when the network
// returns (the online event, each page load, Background Sync) — exactly once: every resend carries
// the same keys (the form's client_token, one upload_key per photo), which the server answers
// with its first answer. A refusal (4xx) is kept, with the server's message, until the person
// deletes it. Loaded by every page and by the service worker (which only sends).
(function (root) {
  "use strict";
  var DB = "opencity-outbox", STORE = "items", LOCK = "opencity-outbox";
  var RETRY_LATER = [408, 425, 429];

  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = root.indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "id" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function store(mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), result;
        var r = fn(t.objectStore(STORE));
        if (r) r.onsuccess = function () { result = r.result; };
        t.oncomplete = function () { db.close(); resolve(result); };
        t.onerror = t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }
  function all() { return store("readonly", function (s) { return s.getAll(); }); }
  function get(id) { return store("readonly", function (s) { return s.get(id); }); }
  function put(item) { return store("readwrite", function (s) { s.put(item); }).then(changed); }
  function remove(id) { return store("readwrite", function (s) { s.delete(id); }).then(changed); }
  function newToken() {
    var a = new Uint8Array(16);
    root.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function changed() {  // the page redraws its list; the worker tells the pages
    if (root.document) root.document.dispatchEvent(new CustomEvent("opencity:outbox"));
    else if (root.clients) {
      root.clients.matchAll({ type: "window" }).then(function (list) {
        list.forEach(function (c) { c.postMessage({ type: "outbox" }); });
      });
    }
  }
  function locked(fn) {
    var locks = root.navigator && root.navigator.locks;
    return locks ? locks.request(LOCK, fn) : fn();
  }

  // One answer → what becomes of the item: done (with ref/url), refused (message), or later.
  function read(res) {
    var json = (res.headers.get("Content-Type") || "").indexOf("application/json") === 0;
    if (res.ok && json) return res.json().then(function (body) { return { ok: true, body: body }; });
    if (res.status >= 500 || RETRY_LATER.indexOf(res.status) >= 0) return Promise.resolve({ later: true });
    if (!json) return Promise.resolve({ refused: "signin" });  // the sign-in page, or CSRF refused
    return res.json().then(function (body) { return { refused: body.error || String(res.status) }; });
  }
  function post(url, data, csrf) {
    return root.fetch(url, { method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf } }).then(read);
  }

  // Send one item: its photos first (each once, by its key), then the form.
  function sendOne(item, csrf) {
    var steps = item.photos.filter(function (p) { return !p.staged; });
    item.status = "sending";
    item.total = item.photos.length + 1;
    item.done = item.photos.length - steps.length;
    var chain = put(item);
    steps.forEach(function (photo) {
      chain = chain.then(function (stop) {
        if (stop) return stop;
        var data = new FormData();
        data.append("photo", photo.blob, photo.name);
        data.append("client_token", item.id);
        data.append("upload_key", photo.key);
        if (photo.gps) { data.append("gps_lat", String(photo.gps.lat)); data.append("gps_lon", String(photo.gps.lon)); }
        return post(item.stageUrl, data, csrf).then(function (answer) {
          if (!answer.ok) return answer;
          photo.staged = answer.body.id;
          item.done += 1;
          return put(item);
        });
      });
    });
    return chain.then(function (stop) {
      if (stop) return stop;
      var data = new FormData();
      item.fields.forEach(function (f) {
        if (f[0] === "csrfmiddlewaretoken") return;
        if (f[1] instanceof Blob && !f[1].size) return;  // an empty file input
        data.append(f[0], f[1]);
      });
      data.append("csrfmiddlewaretoken", csrf);
      item.photos.forEach(function (p) { data.append("staged", String(p.staged)); });
      return post(item.action, data, csrf);
    }).then(function (answer) {
      item.tries = (item.tries || 0) + 1;
      if (answer.ok) {
        item.status = "sent"; item.ref = answer.body.ref; item.url = answer.body.url; item.error = "";
        item.done = item.total;
        item.photos.forEach(function (p) { p.blob = null; });  // sent: the phone need not keep them
      } else if (answer.refused) {
        item.status = "failed"; item.error = answer.refused;
      } else {
        item.status = "waiting";
      }
      return put(item).then(function () { return answer; });
    }, function () {  // the network failed on the way: later, with the same keys
      item.status = "waiting";
      return put(item);
    });
  }

  // Send what waits for this person (a page's csrf token, or the one the form carried).
  function flush(opts) {
    if (!root.indexedDB || root.navigator.onLine === false) return Promise.resolve();
    return locked(function () {
      return all().then(function (items) {
        var due = items.filter(function (i) {
          return i.viewer === opts.viewer && (i.status === "waiting" || i.status === "sending");
        }).sort(function (a, b) { return a.created - b.created; });
        return due.reduce(function (chain, item) {
          return chain.then(function () {
            return get(item.id).then(function (fresh) {  // another tab or the worker may have sent it
              if (!fresh || (fresh.status !== "waiting" && fresh.status !== "sending")) return null;
              return sendOne(fresh, opts.csrf || fresh.csrf);
            });
          });
        }, Promise.resolve());
      });
    });
  }

  root.OpenCityOutbox = { flush: flush, all: all, remove: remove, newToken: newToken };
  if (!root.document || !root.indexedDB) return;

  // --- the page ------------------------------------------------------------------------------
  var doc = root.document;
  var viewer = doc.body.getAttribute("data-viewer") || "";
  var localPhotos = [];  // photos the report form could not upload (offline), shrunk, not sent yet

  function csrf() {
    var el = doc.querySelector("[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }
  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (m, key) { return key in values ? values[key] : m; });
  }
  function sendNow() {
    return flush({ viewer: viewer, csrf: csrf() });
  }
  function askSync() {
    var sw = root.navigator.serviceWorker;
    if (sw && sw.ready) {
      sw.ready.then(function (reg) { if (reg.sync) return reg.sync.register("opencity-outbox"); }).catch(function () {});
    }
  }

  // A kept copy of a page (the service worker says so) carries a token that may have been used:
  // each form gets a new one.
  if (doc.documentElement.getAttribute("data-from-cache") === "1") {
    doc.querySelectorAll("form[data-outbox] [name=client_token]").forEach(function (el) { el.value = newToken(); });
  }

  // The report form's photos, offline: kept here (already shrunk) and shown; sent with the form.
  root.OpenCityOutbox.keepPhoto = function (file, name, gps) {
    var list = doc.getElementById("staged-photos");
    var entry = { key: newToken(), blob: file, name: name, gps: gps, staged: null };
    localPhotos.push(entry);
    if (!list) return;
    var li = doc.createElement("li");
    li.className = "staged-photo";
    li.setAttribute("data-staged-id", "local");
    li.setAttribute("data-local-photo", "");
    var img = doc.createElement("img");
    img.src = URL.createObjectURL(file);
    img.alt = name; img.width = 96; img.height = 96;
    var drop = doc.createElement("button");
    drop.type = "button";
    drop.className = "btn btn-light btn-small staged-remove";
    drop.textContent = list.getAttribute("data-remove") || "×";
    drop.addEventListener("click", function () { localPhotos.splice(localPhotos.indexOf(entry), 1); li.remove(); });
    li.appendChild(img);
    li.appendChild(drop);
    list.appendChild(li);
  };

  function keep(form) {
    var tokenInput = form.querySelector("[name=client_token]");
    var entries = [];
    new FormData(form).forEach(function (value, name) { entries.push([name, value]); });
    var item = {
      id: tokenInput.value, kind: form.getAttribute("data-outbox"), viewer: viewer, created: Date.now(),
      action: form.action, stageUrl: (form.querySelector("[data-stage-url]") || form).getAttribute("data-stage-url"),
      csrf: csrf(), fields: entries, photos: localPhotos.splice(0), status: "waiting", tries: 0,
      title: (form.querySelector("[name=description], [name=note]") || {}).value || "",
    };
    return get(item.id).then(function (used) {
      if (used) {  // this form's key is another item's already (a page kept from before)
        item.id = newToken();
        item.fields = item.fields.filter(function (f) { return f[0] !== "client_token" && f[0] !== "staged"; });
        item.fields.push(["client_token", item.id]);
      }
      return put(item).then(function () { return item; });
    });
  }

  // Forms marked data-outbox="report|sos" go through the outbox: kept first, then sent at once
  // when there is a network. Refused at once (4xx): the browser sends the form itself, so the
  // server shows its errors on the form as usual; the item is dropped (the form is still there).
  doc.querySelectorAll("form[data-outbox]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (ev.defaultPrevented) return;
      ev.preventDefault();
      var note = doc.getElementById("outbox-note");
      keep(form).then(function (item) {
        if (root.navigator.onLine === false) return { later: true, item: item };
        return locked(function () { return sendOne(item, csrf()); }).then(function (answer) {
          return { answer: answer || {}, item: item };
        });
      }).then(function (r) {
        if (r.answer && r.answer.ok) { root.location.assign(r.item.url); return; }
        if (r.answer && r.answer.refused) {
          return remove(r.item.id).then(function () { HTMLFormElement.prototype.submit.call(form); });
        }
        askSync();
        form.reset();
        form.querySelector("[name=client_token]").value = newToken();
        doc.querySelectorAll("#staged-photos li").forEach(function (li) { li.remove(); });
        form.querySelectorAll("[aria-busy]").forEach(function (b) { b.removeAttribute("aria-busy"); });
        form.dataset.sent = "";
        if (note) { note.hidden = false; note.focus(); }
        var list = doc.querySelector("[data-outbox-list]");
        if (list) list.scrollIntoView({ block: "nearest" });
      }).catch(function () { HTMLFormElement.prototype.submit.call(form); });  // no IndexedDB room
    });
  });

  // The list: this person's items, newest first.
  function render() {
    var box = doc.querySelector("[data-outbox-list]");
    if (!box) return Promise.resolve();
    return all().then(function (items) {
      items = items.filter(function (i) { return i.viewer === viewer; }).sort(function (a, b) { return b.created - a.created; });
      var ul = box.querySelector("ul");
      ul.textContent = "";
      box.hidden = items.length === 0;
      items.forEach(function (item) {
        var li = doc.createElement("li");
        li.className = "outbox-item outbox-" + item.status;
        li.setAttribute("data-status", item.status);
        var head = doc.createElement("p");
        var kind = doc.createElement("strong");
        kind.textContent = box.getAttribute("data-kind-" + item.kind) || item.kind;
        head.appendChild(kind);
        if (item.title) head.appendChild(doc.createTextNode(" · " + item.title.slice(0, 80)));
        li.appendChild(head);
        var state = doc.createElement("p");
        state.className = "outbox-state";
        state.setAttribute("role", "status");
        var error = item.error === "signin" ? box.getAttribute("data-signin") : item.error;
        state.textContent = fill(box.getAttribute("data-" + item.status), { done: item.done || 0, total: item.total || 1, error: error || "" });
        li.appendChild(state);
        if (item.status === "sending") {
          var bar = doc.createElement("progress");
          bar.max = item.total || 1; bar.value = item.done || 0;
          li.appendChild(bar);
        }
        if (item.status === "sent" && item.url) {
          var a = doc.createElement("a");
          a.href = item.url; a.textContent = item.ref;
          a.setAttribute("data-testid", "outbox-ref");
          state.appendChild(doc.createTextNode(" "));
          state.appendChild(a);
        }
        var actions = doc.createElement("p");
        actions.className = "actions";
        function button(label, cls, fn) {
          var b = doc.createElement("button");
          b.type = "button"; b.className = "btn btn-small " + cls; b.textContent = label;
          b.addEventListener("click", fn);
          actions.appendChild(b);
        }
        if (item.status === "failed") {
          button(box.getAttribute("data-retry"), "btn-light", function () {
            item.status = "waiting"; item.error = "";
            put(item).then(sendNow);
          });
        }
        if (item.status !== "sending") {
          var label = box.getAttribute(item.status === "sent" ? "data-dismiss" : "data-delete");
          button(label, "btn-ghost", function () {
            if (item.status !== "sent" && !root.confirm(box.getAttribute("data-confirm-delete"))) return;
            remove(item.id);
          });
        }
        if (actions.childNodes.length) li.appendChild(actions);
        ul.appendChild(li);
      });
    });
  }

  doc.addEventListener("opencity:outbox", function () { render(); });
  root.addEventListener("online", function () { sendNow(); });
  if (root.navigator.serviceWorker) {
    root.navigator.serviceWorker.addEventListener("message", function () { render(); });
    root.navigator.serviceWorker.ready.then(function (reg) {
      // not from the sign-in, account and identity pages, where the session's key changes
      var auth = /^\/(accounts|o)\//.test(root.location.pathname);
      if (reg.active && !auth && root.navigator.onLine !== false) reg.active.postMessage({ type: "warm", viewer: viewer });
    }).catch(function () {});
  }
  doc.querySelectorAll("form[data-signout]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var c = root.navigator.serviceWorker && root.navigator.serviceWorker.controller;
      if (c) c.postMessage({ type: "signed-out" });
    });
  });
  render().then(sendNow);
})(self);
