// Wide tables: a table wider than its screen scrolls sideways inside its .table-responsive box, and
// that box must be reachable by keyboard to be scrolled without a mouse (WCAG 2.1.1; axe's
// scrollable-region-focusable). So a box that scrolls becomes a named region in the tab order
// (tabindex="0", role="region", named by the table's caption or the heading before it); a box
// that fits its screen stays out of the tab order. Checked again when the window is resized and
// after htmx swaps content in. Static file: the CSP allows no inline script.
(function () {
  "use strict";

  var counter = 0;

  function labelFor(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption;
    }
    for (var node = box; node && node !== document.body; node = node.parentElement) {
      for (var prev = node.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) {
          return prev;
        }
        var inner = prev.querySelectorAll("h1, h2, h3, h4, h5, h6");
        if (inner.length) {
          return inner[inner.length - 1];
        }
      }
    }
    return null;
  }

  function update(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("data-scroll-region")) {
      box.setAttribute("data-scroll-region", "");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      var label = labelFor(box);
      if (label) {
        if (!label.id) {
          counter += 1;
          label.id = "scroll-region-label-" + counter;
        }
        box.setAttribute("aria-labelledby", label.id);
      }
    } else if (!scrolls && box.hasAttribute("data-scroll-region")) {
      ["data-scroll-region", "tabindex", "role", "aria-labelledby"].forEach(function (name) {
        box.removeAttribute(name);
      });
    }
  }

  function updateAll() {
    document.querySelectorAll(".table-responsive").forEach(update);
  }

  var pending = null;
  function later() {
    if (pending) {
      window.cancelAnimationFrame(pending);
    }
    pending = window.requestAnimationFrame(updateAll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", updateAll);
  } else {
    updateAll();
  }
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", later);
})();
