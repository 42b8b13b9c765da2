"""A screening on a phone, in each language; a dropped connection loses no answer; page weight."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Response, expect

from opennrm.accounts.models import User
from opennrm.screening.models import Screening
from tests.screening.helpers import ADULT_POSITIVE

pytestmark = pytest.mark.django_db(transaction=True)

HEADLINES = {
    "en": "Screening result — indicators of trafficking present.",
    "sr": "Резултат скрининга — присутни су индикатори трговине људима.",
    "sr-latn": "Rezultat skrininga — prisutni su indikatori trgovine ljudima.",
}
SAVED = {
    "en": "All answers saved.",
    "sr": "Сви одговори су сачувани.",
    "sr-latn": "Svi odgovori su sačuvani.",
}
START = {"en": "Start the interview", "sr": "Започни разговор", "sr-latn": "Započni razgovor"}


@pytest.fixture(autouse=True)
def catalogues(transactional_db: None) -> None:
    """Transactional tests flush the tables, including the catalogues loaded by migration 0002."""
    from opennrm.screening.catalogue_io import bundled_specs, create_version
    from opennrm.screening.models import Indicator, IndicatorCatalogue

    for spec in bundled_specs():
        if not IndicatorCatalogue.objects.filter(list_name=spec.list_name).exists():
            create_version(
                spec,
                catalogue_model=IndicatorCatalogue,
                indicator_model=Indicator,
                imported_by_id=None,
            )


def _choose(page: Page, code: str, value: str) -> None:
    page.locator(f"label[for='{code}-{value}']").tap()


@pytest.mark.parametrize("language", ["en", "sr", "sr-latn"])
def test_a_screener_completes_a_screening_on_a_phone(
    phone_page: Page,
    login_as: Callable[[Page, str], None],
    server_url: str,
    personas: dict[str, User],
    language: str,
) -> None:
    page = phone_page
    page.context.add_cookies([{"name": "django_language", "value": language, "url": server_url}])
    login_as(page, "ana")
    page.goto("/screening/new/")
    page.get_by_role("button", name=START[language]).tap()
    page.wait_for_url(re.compile(r"/screening/\d+/edit/$"))
    for code, value in ADULT_POSITIVE.items():
        _choose(page, code, value)
    expect(page.locator("#scr-status")).to_have_text(SAVED[language])
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the interview is {width} px wide on a 360 px screen"
    page.locator("button[name=action][value=submit]").tap()
    page.wait_for_url(re.compile(r"/screening/\d+/$"))
    expect(page.get_by_text(HEADLINES[language])).to_be_visible()
    screening = Screening.objects.get()
    assert screening.status == "submitted"
    assert dict(screening.answers.values_list("indicator__code", "value")) == ADULT_POSITIVE


def test_a_dropped_connection_loses_no_answer(
    phone_page: Page, login_as: Callable[[Page, str], None], personas: dict[str, User]
) -> None:
    page = phone_page
    login_as(page, "ana")
    page.goto("/screening/new/")
    page.get_by_role("button", name="Start the interview").tap()
    page.wait_for_url(re.compile(r"/screening/\d+/edit/$"))
    _choose(page, "AL-DR-01", "present")
    expect(page.locator("#scr-status")).to_have_text("All answers saved.")
    page.context.set_offline(True)
    offline_answers = {"AL-DR-02": "present", "AL-EX-01": "present", "AL-CD-04": "unknown"}
    for code, value in offline_answers.items():
        _choose(page, code, value)
    page.fill("#observations", "Workers sleep in the barn.")
    expect(page.locator("#scr-status")).to_contain_text("No connection")
    # Observations may name a person: they wait in memory, never in localStorage (issue 13).
    stored = page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    assert "AL-EX-01" in stored
    assert "barn" not in stored
    screening = Screening.objects.get()
    assert dict(screening.answers.values_list("indicator__code", "value")) == {
        "AL-DR-01": "present"
    }
    page.context.set_offline(False)
    expect(page.locator("#scr-status")).to_have_text("All answers saved.", timeout=15_000)
    screening.refresh_from_db()
    assert dict(screening.answers.values_list("indicator__code", "value")) == {
        "AL-DR-01": "present",
        **offline_answers,
    }
    assert screening.observations == "Workers sleep in the barn."
    page.reload()
    expect(page.locator("#AL-CD-04-unknown")).to_be_checked()


def test_the_interview_page_weighs_under_150_kb(
    page: Page, login_as: Callable[[Page, str], None], personas: dict[str, User]
) -> None:
    """Bytes on first load: the HTML as sent (not compressed by Django) plus each static asset as
    whitenoise serves it in production (its gzip-9 precompressed copy)."""
    login_as(page, "ana")
    page.goto("/screening/new/")
    page.get_by_role("button", name="Start the interview").click()
    page.wait_for_url(re.compile(r"/screening/\d+/edit/$"))
    edit_url = page.url
    fresh = page.context.browser.new_context(storage_state=page.context.storage_state())
    responses: list[Response] = []
    other = fresh.new_page()
    other.on("response", lambda response: responses.append(response))
    other.goto(edit_url, wait_until="load")
    sizes = {}
    for response in responses:
        body = response.body()
        if "/static/" in response.url:
            sizes[response.url] = len(gzip.compress(body, compresslevel=9))
        else:
            sizes[response.url] = len(body)
    fresh.close()
    total = sum(sizes.values())
    print(f"\nscreening interview first load: {total} bytes")  # noqa: T201
    for url, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"  {size:>8}  {url}")  # noqa: T201
    assert total < 150 * 1024
