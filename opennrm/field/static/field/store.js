// The device's encrypted store for field work (IndexedDB + WebCrypto AES-GCM).
//
// Every record that may hold personal data is sealed with AES-256-GCM under the device key, a
// random key the server makes for this device and releases only to its signed-in user
// (/api/v1/field/devices/<id>/key). The key lives in memory as a non-extractable CryptoKey. So
// that the app can open with no network after the browser restarts, a copy of the key is kept
// wrapped (AES-GCM) under a key derived from the user's offline PIN (PBKDF2-SHA256, 310,000
// rounds): the key is never stored in plain form, and five wrong PINs erase the device's data.
// The "meta" store holds only what is not personal: the device id, the wrapped key, its salt,
// the time of the last contact with the server, the offline limit.
(function (root) {
  "use strict";
  var DB = "onrm-field";
  var ROUNDS = 310000;
  var MAX_PIN_FAILURES = 5;
  var key = null;  // the device key, in memory only

  function request(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }
  function open() {
    var r = indexedDB.open(DB, 1);
    r.onupgradeneeded = function () {
      r.result.createObjectStore("meta");
      r.result.createObjectStore("sealed");
    };
    return request(r);
  }
  function tx(storeName, mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(storeName, mode);
        var out = fn(t.objectStore(storeName));
        t.oncomplete = function () { db.close(); resolve(out instanceof IDBRequest ? out.result : out); };
        t.onerror = function () { db.close(); reject(t.error); };
        t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }

  function getMeta(name) { return tx("meta", "readonly", function (s) { return s.get(name); }); }
  function setMeta(name, value) { return tx("meta", "readwrite", function (s) { s.put(value, name); }); }

  function b64(bytes) {
    var s = "";
    new Uint8Array(bytes).forEach(function (b) { s += String.fromCharCode(b); });
    return btoa(s);
  }
  function unb64(text) {
    var s = atob(text);
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) { out[i] = s.charCodeAt(i); }
    return out;
  }

  function deviceId() {
    return getMeta("device").then(function (id) {
      if (id) { return id; }
      id = crypto.randomUUID();
      return setMeta("device", id).then(function () { return id; });
    });
  }

  function pinKey(pin, salt) {
    var enc = new TextEncoder();
    return crypto.subtle.importKey("raw", enc.encode(pin), "PBKDF2", false, ["deriveKey"])
      .then(function (base) {
        return crypto.subtle.deriveKey(
          { name: "PBKDF2", hash: "SHA-256", salt: salt, iterations: ROUNDS },
          base, { name: "AES-GCM", length: 256 }, false, ["wrapKey", "unwrapKey", "encrypt", "decrypt"]);
      });
  }

  // First unlock on this device: the raw key from the server is wrapped under the PIN and then
  // imported as non-extractable; the raw bytes are zeroed.
  function adoptServerKey(rawBase64, pin) {
    var raw = unb64(rawBase64);
    var salt = crypto.getRandomValues(new Uint8Array(16));
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return pinKey(pin, salt).then(function (wrapping) {
      return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, wrapping, raw);
    }).then(function (wrapped) {
      return setMeta("wrapped", { salt: b64(salt), iv: b64(iv), data: b64(wrapped) });
    }).then(function () {
      return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
    }).then(function (k) {
      raw.fill(0);
      key = k;
      return setMeta("pin_failures", 0);
    });
  }

  // Later unlocks, online or not: the wrapped copy is unwrapped straight into a non-extractable
  // key. A wrong PIN fails the AES-GCM tag; the fifth failure erases everything.
  function unlock(pin) {
    return getMeta("wrapped").then(function (w) {
      if (!w) { return Promise.reject(new Error("no-key")); }
      return pinKey(pin, unb64(w.salt)).then(function (wrapping) {
        return crypto.subtle.unwrapKey("raw", unb64(w.data), wrapping, { name: "AES-GCM", iv: unb64(w.iv) },
          { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
      }).then(function (k) {
        key = k;
        return setMeta("pin_failures", 0);
      }, function () {
        return getMeta("pin_failures").then(function (n) {
          n = (n || 0) + 1;
          if (n >= MAX_PIN_FAILURES) {
            return wipe().then(function () { return Promise.reject(new Error("wiped")); });
          }
          return setMeta("pin_failures", n).then(function () { return Promise.reject(new Error("bad-pin")); });
        });
      });
    });
  }

  function hasWrappedKey() { return getMeta("wrapped").then(function (w) { return !!w; }); }
  function unlocked() { return key !== null; }
  function lock() { key = null; }

  function put(name, value) {
    if (!key) { return Promise.reject(new Error("locked")); }
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var data = new TextEncoder().encode(JSON.stringify(value));
    // The record's name is bound as associated data: a sealed value moved under another name
    // does not decrypt.
    return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv, additionalData: new TextEncoder().encode(name) }, key, data)
      .then(function (sealed) {
        return tx("sealed", "readwrite", function (s) { s.put({ iv: iv, data: sealed }, name); });
      });
  }
  function get(name) {
    if (!key) { return Promise.reject(new Error("locked")); }
    return tx("sealed", "readonly", function (s) { return s.get(name); }).then(function (rec) {
      if (!rec) { return undefined; }
      return crypto.subtle.decrypt({ name: "AES-GCM", iv: rec.iv, additionalData: new TextEncoder().encode(name) }, key, rec.data)
        .then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
    });
  }
  function remove(name) { return tx("sealed", "readwrite", function (s) { s.delete(name); }); }
  function names(prefix) {
    return tx("sealed", "readonly", function (s) { return s.getAllKeys(); }).then(function (all) {
      return (all || []).filter(function (n) { return String(n).indexOf(prefix) === 0; });
    });
  }
  function all(prefix) {
    return names(prefix).then(function (found) {
      return Promise.all(found.map(function (n) { return get(n); }));
    });
  }

  // Erase everything this app keeps on the device: the database (sealed records, wrapped key,
  // device id) and the cached shell. The key in memory goes with it.
  function wipe() {
    key = null;
    var cleared = root.caches ? caches.keys().then(function (ks) {
      return Promise.all(ks.filter(function (k) { return k.indexOf("onrm-field-") === 0; })
        .map(function (k) { return caches.delete(k); }));
    }) : Promise.resolve();
    return cleared.then(function () {
      return new Promise(function (resolve) {
        var r = indexedDB.deleteDatabase(DB);
        r.onsuccess = r.onerror = r.onblocked = function () { resolve(); };
      });
    });
  }

  // Contact with the server is what keeps offline data alive: past the limit it is erased.
  function touchContact(offlineDays) {
    return setMeta("contact", { at: Date.now(), days: offlineDays });
  }
  function expired() {
    return getMeta("contact").then(function (c) {
      return !!c && Date.now() - c.at > c.days * 86400000;
    });
  }

  root.OpenNRMStore = {
    deviceId: deviceId, adoptServerKey: adoptServerKey, unlock: unlock, hasWrappedKey: hasWrappedKey,
    unlocked: unlocked, lock: lock, put: put, get: get, remove: remove, names: names, all: all,
    wipe: wipe, getMeta: getMeta, setMeta: setMeta, touchContact: touchContact, expired: expired
  };
})(typeof self !== "undefined" ? self : this);
