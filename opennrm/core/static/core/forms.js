// Forms: the error summary at the top of a form that failed takes the focus, so a screen reader
// reads it and a keyboard user starts there; each of its links moves the focus to its field
// (GOV.UK error summary pattern). Static file: the CSP allows no inline script.
(function () {
  "use strict";

  function focusField(id) {
    var field = document.getElementById(id);
    if (!field) {
      return false;
    }
    var label = document.querySelector('label[for="' + id + '"]') || field.closest("fieldset");
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
    return true;
  }

  function start() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (link && focusField(link.getAttribute("href").slice(1))) {
        event.preventDefault();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
