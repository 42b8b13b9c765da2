// OpenNRM field work: the service worker (rendered by opennrm/field/views.py service_worker).
// It caches the app shell, its scripts and styles and the indicator catalogues — never personal
// data: what the app keeps offline is in IndexedDB, encrypted by field/store.js. Pages other than
// the field app pass through untouched.
"use strict";
var CONFIG = {{ config|safe }};
var SHELL = CONFIG.shell;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CONFIG.cache)
      .then(function (cache) { return cache.addAll(SHELL.map(function (u) { return new Request(u, { credentials: "same-origin", cache: "reload" }); })); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.indexOf("onrm-field-") === 0 && n !== CONFIG.cache; })
        .map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function cacheable(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || SHELL.indexOf(url.pathname) < 0) { return; }
  if (url.pathname === CONFIG.home || url.pathname === SHELL[2]) {
    // The shell and the catalogues: the network when there is one (a fresh page, a new catalogue
    // version), the cached copy when there is none or it does not answer with them.
    event.respondWith(
      fetch(request).then(function (response) {
        if (cacheable(response)) {
          var copy = response.clone();
          caches.open(CONFIG.cache).then(function (cache) { cache.put(url.pathname, copy); });
          return response;
        }
        // A server in trouble, or a session that expired while the phone was away, must not
        // keep the user from working offline: the cached copy (no personal data in it) opens,
        // and the app asks for a new sign-in when it syncs. Signing out clears the cache.
        return caches.match(url.pathname).then(function (hit) { return hit || response; });
      }, function () {
        return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
      })
    );
    return;
  }
  // Scripts, styles, manifest: versioned with the worker, so the cached copy first.
  event.respondWith(caches.match(url.pathname).then(function (hit) { return hit || fetch(request); }));
});
