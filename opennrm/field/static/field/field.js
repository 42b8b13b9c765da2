// Field work: screenings, referral drafts, case notes and service updates with or without a
// network. Everything that may name a person is kept in the encrypted store (field/store.js);
// the result of a screening is computed on the device by field/rules.js from the server's rule
// table. Queued items carry the version they were based on and the device time; the server
// applies them once, field by field, and returns conflicts to resolve here, side by side.
// The DOM is built with textContent only: nothing from the data is parsed as HTML.
(function () {
  "use strict";
  var root = document.getElementById("field");
  if (!root || !window.crypto || !window.crypto.subtle || !window.indexedDB) { return; }
  var S = window.OpenNRMStore;
  var R = window.OpenNRMRules;
  var T = root.dataset;
  var API = T.api;
  var LANG = (document.documentElement.lang || "en").toLowerCase();
  if (["en", "sr", "sr-latn"].indexOf(LANG) < 0) { LANG = "en"; }
  var catalogues = null;
  var csrf = null;
  var device = null;
  var syncing = false;
  var current = null;  // the screening in progress: {id, age_group, lists, ...}

  function $(id) { return document.getElementById(id); }
  // data-kind-note_edit is dataset.kindNote_edit: the texts by their attribute names.
  function t(name) { return T[name.replace(/-([a-z])/g, function (m, c) { return c.toUpperCase(); })]; }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") { node.className = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  // Named moments of a cold start (bench/field_bench.py reads them): none holds data.
  function mark(name) { if (window.performance && performance.mark) { performance.mark(name); } }
  function say(text) { $("fw-message").textContent = text || ""; }
  function online() { return navigator.onLine !== false; }
  function uid() { return crypto.randomUUID(); }
  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  function api(path, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
    if (options.body && typeof options.body !== "string") {
      options.body = JSON.stringify(options.body);
      options.headers["Content-Type"] = "application/json";
      if (csrf) { options.headers["X-CSRFToken"] = csrf; }
    }
    return fetch(API + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  // --- erasing --------------------------------------------------------------------------

  function erase(message) {
    var id = device;
    return S.wipe().then(function () {
      if (id && online()) { return fetch(API + "devices/" + id + "/wiped", { method: "POST", credentials: "same-origin" }).catch(function () {}); }
    }).then(function () {
      device = null;
      $("fw-app").hidden = true;
      $("fw-unlock").hidden = true;
      root.dataset.state = "wiped";
      say(message);
    });
  }

  // --- status ---------------------------------------------------------------------------

  function refreshStatus() {
    $("fw-net").textContent = online() ? T.online : T.offline;
    if (!S.unlocked()) { return Promise.resolve(); }
    return Promise.all([S.names("q:"), S.names("c:"), S.getMeta("last_sync")]).then(function (r) {
      $("fw-queue").textContent = String(r[0].length);
      $("fw-conflicts").textContent = String(r[1].length);
      $("fw-last").textContent = r[2] ? new Date(r[2]).toLocaleString(LANG) : T.never;
      $("fw-sync").hidden = !online() || !r[0].length;
      return Promise.all([renderQueue(), renderConflicts()]);
    });
  }

  function renderQueue() {
    return S.all("q:").then(function (items) {
      var list = $("fw-queue-items");
      list.replaceChildren();
      items.sort(byTime).forEach(function (item) {
        var li = el("li", { "data-kind": item.kind }, (t("kind-" + item.kind) || item.kind) + " — " + new Date(item.device_time).toLocaleString(LANG));
        if (item.error) { li.appendChild(el("span", { class: "text-danger d-block" }, T.refused + " " + item.error)); }
        list.appendChild(li);
      });
    });
  }
  function byTime(a, b) { return a.device_time < b.device_time ? -1 : a.device_time > b.device_time ? 1 : 0; }

  function queue(kind, payload) {
    var item = { id: uid(), kind: kind, device_time: new Date().toISOString(), payload: payload };
    return S.put("q:" + item.id, item).then(function () { say(T.saved); return refreshStatus(); })
      .then(function () { return sync(); }).then(function () { return item; });
  }

  // --- unlocking ------------------------------------------------------------------------

  function contact() {
    if (!online() || !device) { return Promise.resolve(false); }
    return api("devices/" + device + "/contact").then(function (r) {
      if (r.ok && r.data.wipe) { return erase(T.wiped).then(function () { return true; }); }
      return false;
    }, function () { return false; });
  }

  function start() {
    $("fw-net").textContent = online() ? T.online : T.offline;
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(T.sw, { scope: "/" }).catch(function () {});
    }
    return S.expired().then(function (old) {
      if (old) { return erase(T.expired).then(function () { return true; }); }
      return S.deviceId().then(function (id) { device = id; return contact(); });
    }).then(function (gone) {
      if (gone) { return; }
      return S.hasWrappedKey().then(function (has) {
        $("fw-pin-help").textContent = has ? T.enterPin : (online() ? T.setPin : T.firstOnline);
        root.dataset.state = "locked";
        mark("fw-locked");
      });
    });
  }

  function fetchKey() {
    return api("devices/" + device + "/key").then(function (r) {
      if (r.status === 410) { return erase(T.wiped).then(function () { return null; }); }
      if (!r.ok) { return null; }
      csrf = r.data.csrf;
      return r.data;
    }, function () { return null; });
  }

  function unlock(pin) {
    mark("fw-unlock");
    if (pin.length < 6) { say(T.shortPin); return Promise.resolve(); }
    return S.hasWrappedKey().then(function (has) {
      var keyed = online() ? fetchKey() : Promise.resolve(null);
      return keyed.then(function (released) {
        if (root.dataset.state === "wiped") { return; }
        if (!has && !released) { say(T.firstOnline); return; }
        var opened = has ? S.unlock(pin) : S.adoptServerKey(released.key, pin);
        return opened.then(function () {
          $("fw-pin").value = "";
          return released ? S.touchContact(released.offline_days) : null;
        }).then(opened_);
      });
    }).catch(function (e) {
      if (e && e.message === "wiped") { return erase(T.wiped); }
      say(T.badPin);
    });
  }

  function opened_() {
    $("fw-unlock").hidden = true;
    $("fw-app").hidden = false;
    return loadCatalogues().then(function () {
      return online() && csrf ? refreshWork() : null;
    }).then(function () { return renderWork(); }).then(refreshStatus).then(function () {
      root.dataset.state = "open";
      mark("fw-open");
      say(T.ready);
      return sync();
    });
  }

  function loadCatalogues() {
    // The service worker answers from its cache when there is no network.
    return fetch(T.catalogues, { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (data) { catalogues = data; });
  }

  // --- screening ------------------------------------------------------------------------

  function listsFor(ageGroup, exploitation) {
    var prefix = ageGroup === "adult" ? "adult" : "child";
    return exploitation.map(function (e) {
      return catalogues.lists.filter(function (c) { return c.list === prefix + "_" + e; })[0];
    }).filter(Boolean);
  }

  function showInterview(event) {
    event.preventDefault();
    mark("fw-start");
    var form = $("fw-start");
    var ageGroup = form.querySelector("[name=age_group]:checked").value;
    var exploitation = Array.prototype.map.call(form.querySelectorAll("[name=exploitation]:checked"), function (i) { return i.value; });
    var lists = listsFor(ageGroup, exploitation);
    if (!lists.length) { return; }
    current = {
      id: uid(), age_group: ageGroup, exploitation: exploitation, lists: lists,
      place: $("fw-place").value, age_reasons: $("fw-age-reasons").value
    };
    var words = catalogues.wording[LANG];
    var interview = $("fw-interview");
    interview.replaceChildren();
    lists.forEach(function (catalogue) {
      interview.appendChild(el("h2", { class: "h5" }, words.lists[catalogue.list]));
      catalogues.dimensions.forEach(function (dimension) {
        var questions = catalogue.indicators.filter(function (i) { return i.dimension === dimension; });
        if (!questions.length) { return; }
        interview.appendChild(el("h3", { class: "h6 mt-3 mb-1 text-primary" }, words.dimensions[dimension]));
        questions.forEach(function (q) {
          var set = el("fieldset", { class: "q" });
          var legend = el("legend", {}, q.question[LANG]);
          legend.appendChild(el("small", {}, q.code + " · " + q.label[LANG]));
          set.appendChild(legend);
          var answers = el("div", { class: "a" });
          ["present", "absent", "unknown"].forEach(function (value) {
            var id = "fw-" + q.code + "-" + value;
            answers.appendChild(el("input", { type: "radio", class: "btn-check", name: q.code, id: id, value: value }));
            answers.appendChild(el("label", { class: "btn btn-outline-secondary", for: id }, words.answers[value]));
          });
          set.appendChild(answers);
          interview.appendChild(set);
        });
      });
    });
    interview.appendChild(el("label", { class: "form-label", for: "fw-observations" }, T.observations));
    interview.appendChild(el("textarea", { class: "form-control mb-2", id: "fw-observations", rows: "3", maxlength: "5000" }));
    interview.appendChild(el("button", { class: "btn btn-primary w-100", type: "submit", id: "fw-finish" }, T.finish));
    $("fw-start").hidden = true;
    interview.hidden = false;
    interview.querySelector("fieldset").scrollIntoView();
    mark("fw-question");
  }

  function finishInterview(event) {
    event.preventDefault();
    var form = $("fw-interview");
    var answers = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio]:checked"), function (i) { answers[i.name] = i.value; });
    var words = catalogues.wording[LANG];
    var positive = false;
    var results = current.lists.map(function (catalogue) {
      var mine = {};
      catalogue.indicators.forEach(function (i) { if (answers[i.code]) { mine[i.code] = answers[i.code]; } });
      var result = R.evaluate(catalogue, R.completeAnswers(catalogue, mine));
      var labels = {};
      catalogue.indicators.forEach(function (i) { labels[i.code] = i.label[LANG]; });
      positive = positive || result.outcome === R.POSITIVE;
      return R.explain(result, words, labels, catalogue.rules, current.age_group);
    });
    var payload = {
      age_group: current.age_group, exploitation: current.exploitation, place: current.place,
      age_reasons: current.age_reasons, screened_on: today(), answers: answers,
      observations: $("fw-observations").value,
      device_outcome: positive ? R.POSITIVE : R.NEGATIVE
    };
    var screeningId = current.id;
    form.hidden = true;
    showResult(results, positive, words);
    current.positive = positive;
    var item = { id: screeningId, kind: "screening", device_time: new Date().toISOString(), payload: payload };
    return S.put("q:" + item.id, item).then(function () { say(T.saved); return refreshStatus(); }).then(sync);
  }

  function showResult(explanations, positive, words) {
    var box = $("fw-result");
    box.replaceChildren();
    box.appendChild(el("p", { class: "small text-body-secondary" }, words.not_a_decision));
    explanations.forEach(function (e) {
      var card = el("div", { class: "card mb-2" });
      var body = el("div", { class: "card-body", "data-list": e.list_name });
      body.appendChild(el("h2", { class: "h6" }, e.list_label));
      body.appendChild(el("p", { class: "fw-semibold fw-headline" + (e.positive ? " text-danger" : "") }, e.headline));
      e.missing.forEach(function (m) { body.appendChild(el("p", { class: "mb-1" }, m)); });
      body.appendChild(el("p", { class: "small" }, e.requirement));
      e.notes.forEach(function (n) { body.appendChild(el("p", { class: "small alert alert-secondary py-1 mb-1" }, n)); });
      e.dimensions.forEach(function (d) {
        body.appendChild(el("h3", { class: "h6 mt-2 mb-0" }, d.label));
        body.appendChild(el("p", { class: "mb-1" }, d.text));
      });
      card.appendChild(body);
      box.appendChild(card);
    });
    if (positive) {
      box.appendChild(el("button", { class: "btn btn-primary btn-lg w-100", type: "button", id: "fw-refer" }, $("fw-referral").querySelector("h2").textContent));
      $("fw-refer").addEventListener("click", function () {
        box.hidden = true;
        $("fw-referral").hidden = false;
        $("fw-given").focus();
      });
    }
    box.hidden = false;
  }

  function saveReferral(event) {
    event.preventDefault();
    var year = parseInt($("fw-yob").value, 10);
    var payload = {
      screening_item: current.id, given_names: $("fw-given").value, family_name: $("fw-family").value,
      year_of_birth: isNaN(year) ? null : year, reason: $("fw-reason").value,
      consent_given: $("fw-consent").checked
    };
    $("fw-referral").reset();
    $("fw-referral").hidden = true;
    current = null;
    return queue("referral", payload);
  }

  // --- assigned work --------------------------------------------------------------------

  function refreshWork() {
    return api("work").then(function (r) {
      if (r.ok) { return S.put("work", r.data); }
    }, function () {});
  }

  function renderWork() {
    return S.get("work").then(function (work) {
      var box = $("fw-work-items");
      // A sync re-renders the work while someone may be typing: what was typed and not yet
      // saved survives the re-render (a textarea remembers the text it was rendered with), and
      // so do the cursor and the selection, or the next keystrokes would go nowhere.
      var typing = {};
      var drawn = {};
      function keyOf(area) { return area.dataset.note ? "n:" + area.dataset.note : "new:" + area.dataset.newNote; }
      box.querySelectorAll("textarea").forEach(function (area) {
        if (area.value !== area.dataset.rendered) { typing[keyOf(area)] = area.value; }
      });
      var active = document.activeElement;
      var cursor = active && active.tagName === "TEXTAREA" && box.contains(active) ? {
        key: keyOf(active), start: active.selectionStart, end: active.selectionEnd, direction: active.selectionDirection
      } : null;
      function keep(area, key) {
        area.dataset.rendered = area.value;
        if (Object.prototype.hasOwnProperty.call(typing, key) && !area.readOnly) { area.value = typing[key]; }
        drawn[key] = area;
      }
      function refocus() {
        var area = cursor && drawn[cursor.key];
        if (!area) { return; }
        area.focus();
        area.setSelectionRange(cursor.start, cursor.end, cursor.direction);
      }
      box.replaceChildren();
      var cases = (work && work.cases) || [];
      if (!cases.length) { box.appendChild(el("p", { class: "small" }, T.noWork)); return; }
      cases.forEach(function (c) {
        var card = el("div", { class: "card card-body mb-2", "data-case": c.code });
        card.appendChild(el("h3", { class: "h6" }, c.code + " · " + c.status));
        c.notes.forEach(function (n) {
          var area = el("textarea", { class: "form-control mb-1", rows: "2", "data-note": String(n.id), "aria-label": T.fieldBody });
          area.value = n.body;
          area.readOnly = !n.mine;
          keep(area, "n:" + n.id);
          card.appendChild(area);
          if (n.mine) {
            var button = el("button", { class: "btn btn-sm btn-outline-primary mb-2", type: "button", "data-save-note": String(n.id) }, T.save);
            button.addEventListener("click", function () { editNote(c.id, n, area.value); });
            card.appendChild(button);
          }
        });
        var fresh = el("textarea", { class: "form-control mb-1", rows: "2", "data-new-note": c.code, "aria-label": T.addNote });
        keep(fresh, "new:" + c.code);
        var add = el("button", { class: "btn btn-sm btn-outline-secondary mb-2", type: "button" }, T.addNote);
        add.addEventListener("click", function () {
          if (fresh.value.trim()) { queue("note", { case_id: c.id, body: fresh.value, sensitivity: 2 }); fresh.value = ""; }
        });
        card.appendChild(fresh);
        card.appendChild(add);
        c.services.forEach(function (s) {
          var row = el("p", { class: "small mb-1" }, s.service + " · " + s.status_label + " ");
          s.steps.forEach(function (step) {
            var b = el("button", { class: "btn btn-sm btn-outline-secondary ms-1", type: "button" }, t("step-" + step));
            b.addEventListener("click", function () {
              queue("service_step", { service_request_id: s.id, base_version: s.version, step: step, base: s.status });
            });
            row.appendChild(b);
          });
          card.appendChild(row);
        });
        box.appendChild(card);
      });
      refocus();
    });
  }

  // An edit remembers the version and the value it started from, so the server can tell a
  // field nobody else touched from one two people changed.
  function editNote(caseId, note, body) {
    return S.get("work").then(function (work) {
      var base = note.base || { body: note.body };
      work.cases.forEach(function (c) {
        c.notes.forEach(function (n) { if (n.id === note.id) { n.base = base; n.body = body; } });
      });
      return S.put("work", work).then(function () {
        return queue("note_edit", { note_id: note.id, base_version: note.version, base: base, changes: { body: body } });
      });
    });
  }

  // --- conflicts ------------------------------------------------------------------------

  function renderConflicts() {
    return S.all("c:").then(function (conflicts) {
      var box = $("fw-conflict-items");
      box.replaceChildren();
      conflicts.forEach(function (c) {
        Object.keys(c.conflicts).forEach(function (name) {
          var values = c.conflicts[name];
          var card = el("div", { class: "card card-body mb-2 fw-conflict", "data-item": c.id, "data-field": name });
          card.appendChild(el("h3", { class: "h6" }, (t("kind-" + c.kind) || c.kind) + " · " + (t("field-" + name) || name)));
          var row = el("div", { class: "row g-2" });
          [["mine", values.device], ["theirs", values.server]].forEach(function (side) {
            var col = el("div", { class: "col-12 col-sm-6" });
            col.appendChild(el("p", { class: "small fw-semibold mb-1" }, T[side[0]]));
            col.appendChild(el("p", { class: "border rounded p-2 text-break fw-" + side[0] }, side[1]));
            var b = el("button", { class: "btn btn-sm btn-outline-primary", type: "button" }, t("keep-" + side[0]));
            b.addEventListener("click", function () { resolve(c, name, side[0]); });
            col.appendChild(b);
            row.appendChild(col);
          });
          card.appendChild(row);
          box.appendChild(card);
        });
      });
    });
  }

  function resolve(c, name, side) {
    var values = c.conflicts[name];
    var rest = Object.assign({}, c.conflicts);
    delete rest[name];
    var done = Object.keys(rest).length ? S.put("c:" + c.id, Object.assign({}, c, { conflicts: rest })) : S.remove("c:" + c.id);
    return done.then(function () {
      if (side !== "mine") { return refreshStatus(); }
      // Re-based on what the server has now: it applies unless someone changed it again.
      var base = {};
      base[name] = values.server;
      var changes = {};
      changes[name] = values.device;
      if (c.kind === "note_edit") {
        return queue("note_edit", { note_id: c.note.id, base_version: c.note.version, base: base, changes: changes });
      }
      if (c.kind === "service_step") {
        return queue("service_step", { service_request_id: c.service_request.id, base_version: c.service_request.version, step: values.device, base: values.server });
      }
      return refreshStatus();
    });
  }

  // --- sync -----------------------------------------------------------------------------

  function sync() {
    if (syncing || !online() || !S.unlocked() || !device) { return Promise.resolve(); }
    syncing = true;
    var ready = csrf ? Promise.resolve(true) : fetchKey().then(function (k) { return !!k; });
    return ready.then(function (ok) {
      if (!ok) { return root.dataset.state === "wiped" ? null : say(T.signIn); }
      return S.all("q:").then(function (items) {
        if (!items.length) { return finishSync(false); }
        items.sort(byTime);
        var body = { device_id: device, items: items.map(function (i) { return { id: i.id, kind: i.kind, device_time: i.device_time, payload: i.payload }; }) };
        return api("sync", { method: "POST", body: body }).then(function (r) {
          if (r.status === 410) { return erase(T.wiped); }
          if (r.status === 401 || r.status === 403) { csrf = null; return say(T.signIn); }
          if (!r.ok) { return say(T.syncFailed); }
          return Promise.all(r.data.results.map(function (result) {
            var item = items.filter(function (i) { return i.id === result.id; })[0];
            if (result.status === "applied") { return S.remove("q:" + result.id); }
            if (result.status === "conflict") {
              return S.put("c:" + result.id, Object.assign({ kind: item.kind }, result)).then(function () { return S.remove("q:" + result.id); });
            }
            item.error = (result.error && result.error.message) || result.status;
            return S.put("q:" + item.id, item);
          })).then(function () { return finishSync(true); });
        }, function () { say(T.syncFailed); });
      });
    }).then(function () { syncing = false; return refreshStatus(); }, function () { syncing = false; });
  }

  function finishSync(sent) {
    return S.getMeta("contact").then(function (c) {
      return S.touchContact(c ? c.days : 7);
    }).then(function () {
      return sent ? S.setMeta("last_sync", Date.now()) : null;
    }).then(refreshWork).then(renderWork).then(function () {
      return S.names("q:").then(function (left) { if (!left.length) { say(T.synced); } });
    });
  }

  // --- wiring ---------------------------------------------------------------------------

  $("fw-unlock").addEventListener("submit", function (event) { event.preventDefault(); unlock($("fw-pin").value); });
  if ($("fw-new")) {
    $("fw-new").addEventListener("click", function () {
      $("fw-result").hidden = true; $("fw-referral").hidden = true; $("fw-interview").hidden = true;
      $("fw-start").reset(); $("fw-start").hidden = false;
    });
  }
  $("fw-lock").addEventListener("click", function () { S.lock(); window.location.reload(); });
  $("fw-start").addEventListener("submit", showInterview);
  $("fw-interview").addEventListener("submit", finishInterview);
  $("fw-referral").addEventListener("submit", saveReferral);
  $("fw-sync").addEventListener("click", function () { sync(); });
  window.addEventListener("online", function () { refreshStatus(); contact().then(function (gone) { if (!gone) { sync(); } }); });
  window.addEventListener("offline", refreshStatus);
  // Connections in the field come back without an "online" event: check now and then.
  setInterval(function () { if (S.unlocked()) { contact().then(function (gone) { if (!gone) { sync(); } }); } }, 15000);
  start();
})();
