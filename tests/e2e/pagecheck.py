"""One check for every page the browser suite visits: WCAG 2.1 AA by axe-core, and nothing wider
than the screen (issue 20).

``check_page(page, where)`` runs the vendored axe-core (``vendor/axe.min.js``, test-only) in the
page with the WCAG 2.0/2.1 A and AA rules and fails on every violation of impact serious or
critical; then it fails when the page is wider than the screen or when a visible element passes the right
edge of the screen, unless the element sits in a scroll container (a ``.table-responsive``) that is
itself on screen and reachable by keyboard (``tabindex="0"``), so a person can scroll it without a
mouse. ``where`` names the page in the message (persona, viewport, URL).

The script is given to the page by Playwright's ``evaluate`` (the DevTools protocol), which the
page's Content Security Policy does not govern: an injected ``<script>`` element would be refused,
as it should be.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary || ""})),
  }));
}"""

# The outermost elements that pass the right edge of the screen, each once. An element inside a
# scroll container (overflow-x auto/scroll) is fine when that container is on screen and can take
# the keyboard focus; one clipped by overflow hidden is reported (its content is cut off).
FIND_OVERFLOW = """(width) => {
  const found = [];
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    const classes = [...el.classList].slice(0, 3);
    if (classes.length) name += "." + classes.join(".");
    const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 60);
    return text ? `${name} “${text}”` : name;
  };
  const scroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const overflow = getComputedStyle(p).overflowX;
      if (overflow !== "visible") return {el: p, scrolls: overflow === "auto" || overflow === "scroll"};
    }
    return null;
  };
  const visible = (el, rect) => {
    if (rect.width < 2 || rect.height < 2) return false;
    const style = getComputedStyle(el);
    return style.visibility !== "hidden" && style.display !== "none";
  };
  const reported = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (reported.some((r) => r.contains(el))) continue;
    const rect = el.getBoundingClientRect();
    if (rect.right <= width + 0.5 || !visible(el, rect)) continue;
    const box = scroller(el);
    if (box) {
      const boxRect = box.el.getBoundingClientRect();
      const onScreen = boxRect.right <= width + 0.5 && boxRect.left >= -0.5;
      if (onScreen && box.scrolls && box.el.getAttribute("tabindex") === "0") continue;
      if (onScreen && !box.scrolls && rect.left >= boxRect.right) continue;  // hidden by design
      if (onScreen && !box.scrolls) {
        reported.push(el);
        found.push(`${describe(el)} is cut off: ${Math.round(rect.width)} px wide, ` +
          `its container ${describe(box.el)} shows ${Math.round(boxRect.width)} px`);
        continue;
      }
      if (onScreen && box.scrolls) {
        reported.push(box.el);
        found.push(`${describe(box.el)} scrolls sideways (content ${box.el.scrollWidth} px) ` +
          `but cannot be reached by keyboard: no tabindex="0"`);
        continue;
      }
    }
    reported.push(el);
    found.push(`${describe(el)} ends at ${Math.round(rect.right)} px ` +
      `(${Math.round(rect.width)} px wide) on a ${width} px screen`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, found};
}"""


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations in the page as it is now (all impacts)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result: list[dict[str, Any]] = page.evaluate(RUN_AXE, WCAG_TAGS)
    return result


def overflow_problems(page: Page) -> list[str]:
    """What makes the page wider than its screen, one line each."""
    # The screen's width as configured, not innerWidth: a phone's browser widens its layout
    # viewport (zooming out) to fit a page that is too wide, and innerWidth grows with it.
    viewport = page.viewport_size
    assert viewport is not None
    result = page.evaluate(FIND_OVERFLOW, viewport["width"])
    problems = list(result["found"])
    if result["scrollWidth"] > result["width"]:
        problems.insert(
            0, f"the page is {result['scrollWidth']} px wide on a {result['width']} px screen"
        )
    return problems


def page_problems(page: Page) -> list[str]:
    """Serious or critical WCAG violations and overflow, one line each."""
    problems = []
    for violation in axe_violations(page):
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        for node in violation["nodes"]:
            problems.append(
                f"axe {violation['id']} ({violation['impact']}): {node['target']} — "
                f"{violation['help']}. {' '.join(node['summary'].split())}"
            )
    problems += [f"overflow: {p}" for p in overflow_problems(page)]
    return problems


def check_page(page: Page, where: str) -> None:
    """Fail with every problem of the page, each named with ``where``."""
    problems = page_problems(page)
    assert not problems, f"{where} ({page.url}): {len(problems)} problems\n" + "\n".join(
        f"  - {p}" for p in problems
    )
