"""One definition of the screening rule: the device's evaluator (static/field/rules.js, run in
chromium) gives the server engine's result and explanation for generated answers on all four
lists, in the three languages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser, Page

from opennrm.field.catalogue import LANGUAGES, offline_catalogues
from opennrm.screening import engine, explain
from opennrm.screening.selectors import current_catalogues, engine_catalogue

pytestmark = pytest.mark.django_db

JS_SIDE = """([catalogue, words, answers, ageGroup, language]) => {
  const R = window.OpenNRMRules;
  const result = R.evaluate(catalogue, answers);
  const labels = {};
  catalogue.indicators.forEach((i) => { labels[i.code] = i.label[language]; });
  const e = R.explain(result, words, labels, catalogue.rules, ageGroup);
  return {result, explanation: R.explanationAsDict(e), list_label: e.list_label};
}"""


@pytest.fixture
def rules_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    path = finders.find("field/rules.js")
    assert path, "static/field/rules.js is missing"
    page.add_script_tag(path=str(path))
    yield page
    context.close()


def _server_side(list_name: str, answers: dict[str, str], age_group: str, language: str) -> Any:
    catalogue = next(c for c in current_catalogues() if c.list_name == list_name)
    result = engine.evaluate(engine_catalogue(catalogue), answers).as_dict()
    with translation.override(language):
        labels = {i.code: i.label(language) for i in catalogue.indicators.all()}
        worded = explain.explain(result, labels=labels, rules=catalogue.rules, age_group=age_group)
        return result, worded.as_dict(), worded.list_label


@st.composite
def screenings(draw: st.DrawFn, lists: list[dict[str, Any]]) -> tuple[int, dict[str, str]]:
    index = draw(st.integers(0, len(lists) - 1))
    codes = [i["code"] for i in lists[index]["indicators"]]
    # Sparse answer sets reach the edges of the rule (one strong alone, weak only, near misses).
    density = draw(st.sampled_from([0.05, 0.15, 0.35, 0.7]))
    answers: dict[str, str] = {}
    for code in codes:
        roll = draw(st.floats(0, 1))
        if roll < density:
            answers[code] = "present"
        elif roll < density + 0.1:
            answers[code] = "unknown"
        elif draw(st.booleans()):
            answers[code] = "absent"
    return index, answers


def _compare(
    page: Page,
    data: dict[str, Any],
    catalogue: dict[str, Any],
    answers: dict[str, str],
    age_group: str,
    language: str,
) -> str:
    """Both sides on one screening; the outcome they agree on."""
    device = page.evaluate(
        JS_SIDE, [catalogue, data["wording"][language], answers, age_group, language]
    )
    result, worded, list_label = _server_side(catalogue["list"], answers, age_group, language)
    assert device["result"] == result
    assert device["explanation"] == worded
    assert device["list_label"] == list_label
    return str(result["outcome"])


def test_the_device_gives_the_servers_result_and_explanation(rules_page: Page) -> None:
    data = offline_catalogues()
    lists = data["lists"]
    assert sorted(c["list"] for c in lists) == [
        "adult_labour",
        "adult_sexual",
        "child_labour",
        "child_sexual",
    ]

    @settings(
        max_examples=160, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
    )
    @given(
        screening=screenings(lists),
        age_group=st.sampled_from(["adult", "child", "presumed_child"]),
        language=st.sampled_from(LANGUAGES),
    )
    def check(screening: tuple[int, dict[str, str]], age_group: str, language: str) -> None:
        index, answers = screening
        _compare(rules_page, data, lists[index], answers, age_group, language)

    check()
    # Both branches of every list, whatever the random draw reached: nothing answered gives
    # insufficient indicators, every indicator present gives indicators of trafficking.
    for catalogue in lists:
        everything = {i["code"]: "present" for i in catalogue["indicators"]}
        for language in LANGUAGES:
            assert (
                _compare(rules_page, data, catalogue, {}, "adult", language)
                == engine.INSUFFICIENT_INDICATORS
            )
            assert (
                _compare(rules_page, data, catalogue, everything, "child", language)
                == engine.INDICATORS_OF_TRAFFICKING
            )
