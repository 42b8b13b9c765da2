// Autosave for the screening interview. Every answer is queued in localStorage first, then sent;
// a failed send (no connection) keeps the queue and retries when the browser is back online, so
// no answer is lost. The free-text observations may name a person: they wait in this page's memory
// only, never in localStorage (which outlives the session and is readable by anyone at the phone).
// Without JavaScript the form still saves and submits by plain POST.
(function () {
  "use strict";
  var form = document.getElementById("interview");
  if (!form || !window.fetch) { return; }
  var key = form.dataset.key;
  var status = document.getElementById("scr-status");
  var versionInputs = document.querySelectorAll("input[name=version]");
  var sending = false;
  var timer = null;
  var submitAfter = null;
  var observations;  // unsent observations, in memory only (undefined: nothing to send)

  function load() {
    try { return JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { return {}; }
  }
  function store(pending) {
    try {
      if (Object.keys(pending.answers || {}).length) {
        localStorage.setItem(key, JSON.stringify({ answers: pending.answers }));
      } else {
        localStorage.removeItem(key);
      }
    } catch (e) { /* storage full or disabled: the send below still happens */ }
  }
  function say(text) { if (status) { status.textContent = text; } }
  function setVersion(v) { versionInputs.forEach(function (i) { i.value = v; }); }

  function queue(name, value) {
    var pending = load();
    pending.answers = pending.answers || {};
    pending.answers[name] = value;
    store(pending);
  }

  function flush() {
    var answers = load().answers || {};
    var sent = observations;
    if (sending || (!Object.keys(answers).length && sent === undefined)) { return; }
    sending = true;
    say(form.dataset.saving);
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    body.append("version", versionInputs[0].value);
    body.append("answers", JSON.stringify(answers));
    if (sent !== undefined) { body.append("observations", sent); }
    fetch(form.dataset.autosave, { method: "POST", body: body, credentials: "same-origin",
                                   headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, status: response.status, data: data }; });
      })
      .then(function (r) {
        sending = false;
        if (r.ok) {
          setVersion(r.data.version);
          // Drop only what was sent and has not changed since; newer changes stay queued.
          var now = load();
          now.answers = now.answers || {};
          Object.keys(answers).forEach(function (c) { if (now.answers[c] === answers[c]) { delete now.answers[c]; } });
          if (sent !== undefined && observations === sent) { observations = undefined; }
          store(now);
          if (Object.keys(now.answers).length || observations !== undefined) {
            flush();
          } else {
            say(form.dataset.saved);
            if (submitAfter) { var button = submitAfter; submitAfter = null; form.requestSubmit(button); }
          }
        } else if (r.status === 409) {
          submitAfter = null;
          var code = r.data && r.data.error && r.data.error.code;
          say(code === "screening_locked" ? form.dataset.locked : form.dataset.stale);
        } else {
          submitAfter = null;
          say((r.data && r.data.error && r.data.error.message) || form.dataset.offline);
        }
      })
      .catch(function () { sending = false; submitAfter = null; say(form.dataset.offline); });
  }

  // Answers queued before a reload or while offline are put back on screen, then sent.
  var saved = load();
  Object.keys(saved.answers || {}).forEach(function (code) {
    var input = document.getElementById(code + "-" + saved.answers[code]);
    if (input) { input.checked = true; }
  });
  if (saved.observations !== undefined) {
    // Left by an earlier version of this script: send it from memory and take it out of storage.
    observations = saved.observations;
    form.elements.observations.value = saved.observations;
    store(saved);
  }

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.type === "radio") { queue(target.name, target.value); flush(); }
  });
  form.elements.observations.addEventListener("input", function () {
    observations = form.elements.observations.value;
    clearTimeout(timer);
    timer = setTimeout(flush, 1500);
  });
  form.addEventListener("submit", function (event) {
    // A save in flight would make the page's version stale: submit once it has landed.
    if (sending) { event.preventDefault(); submitAfter = event.submitter; }
  });
  window.addEventListener("online", flush);
  // Connections on a farm or a building site come back without an "online" event: retry.
  setInterval(flush, 10000);
  flush();
})();
