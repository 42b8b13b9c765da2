// The interview's progress: "Answered x of N questions" in the save bar and "x of n" beside each
// section, counted again on every answer. The server renders the same counts, so the page says
// how far the interview is without JavaScript too. Static file: the CSP allows no inline script.
(function () {
  "use strict";
  var form = document.getElementById("interview");
  var total = document.getElementById("scr-progress");
  if (!form || !total) { return; }
  var nav = form.querySelector(".scr-nav");

  function fill(template, answered, count) {
    return template.replace("__A__", answered).replace("__N__", count);
  }

  function answeredIn(scope) {
    var questions = scope.querySelectorAll("fieldset.q");
    var answered = 0;
    questions.forEach(function (q) { if (q.querySelector("input[type=radio]:checked")) { answered += 1; } });
    return [answered, questions.length];
  }

  function update() {
    var all = answeredIn(form);
    total.textContent = fill(total.dataset.template, all[0], all[1]);
    if (!nav) { return; }
    form.querySelectorAll("[data-section]").forEach(function (section) {
      var counts = answeredIn(section);
      var text = fill(nav.dataset.template, counts[0], counts[1]);
      form.querySelectorAll("[data-section-count='" + section.dataset.section + "']").forEach(function (el) {
        el.textContent = text;
      });
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.type === "radio") { update(); }
  });
  // Answers put back from this device's queue (interview.js) are checked without a change event.
  update();
  window.addEventListener("load", update);
})();
