// Renders every <canvas data-chart="ID"> from the JSON in <script type="application/json" id="ID">
// (written by the json_script filter). No inline script, so the strict CSP holds.
// JSON shape: {"type": "bar"|"line"|"doughnut"|..., "labels": [...], "datasets": [{"label", "data"}],
//              "options": {...optional Chart.js options}, "stacked": bool, "percent": bool}
(function () {
  "use strict";
  var palette = ["#1d4e89", "#f0ad00", "#2a9d8f", "#c0392b", "#6c757d", "#8e44ad", "#27ae60", "#d35400"];
  function render(canvas) {
    if (canvas.dataset.rendered || typeof Chart === "undefined") { return; }
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var datasets = (spec.datasets || []).map(function (ds, i) {
      var colour = ds.color || palette[i % palette.length];
      var many = spec.type === "doughnut" || spec.type === "pie";
      return Object.assign({
        backgroundColor: many ? palette.slice(0, (ds.data || []).length) : colour,
        borderColor: colour,
        borderWidth: spec.type === "line" ? 2 : 1,
        fill: false
      }, ds);
    });
    var options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, spec.options || {});
    if (spec.stacked) {
      options.scales = { x: { stacked: true }, y: { stacked: true, beginAtZero: true } };
    } else if (spec.type === "bar" || spec.type === "line") {
      options.scales = Object.assign({ y: { beginAtZero: true } }, options.scales || {});
    }
    if (spec.percent) {
      options.scales = options.scales || {};
      options.scales.y = Object.assign(options.scales.y || {}, { max: 100, ticks: { callback: function (v) { return v + "%"; } } });
    }
    new Chart(canvas, { type: spec.type || "bar", data: { labels: spec.labels || [], datasets: datasets }, options: options });
    canvas.dataset.rendered = "1";
  }
  function renderAll(root) { (root || document).querySelectorAll("canvas[data-chart]").forEach(render); }
  document.addEventListener("DOMContentLoaded", function () { renderAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { renderAll(event.target); });
})();
