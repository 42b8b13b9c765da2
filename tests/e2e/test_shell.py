"""The UI shell: language switch (English, Serbian Cyrillic, Serbian Latin) and phone-sized layout."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import translation
from playwright.sync_api import Page, expect


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def test_switching_to_cyrillic_translates_the_navigation(
    page: Page, login_as: Callable[[Page, str], None]
) -> None:
    login_as(page, "zoran")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Audit trail")).to_be_visible()

    page.get_by_role("button", name="Српски").click()
    cyrillic_audit = _in("sr", "Audit trail")
    assert cyrillic_audit != "Audit trail", "the audit catalogue has no Serbian for 'Audit trail'"
    nav = page.get_by_role("navigation", name=_in("sr", "Main navigation"))
    expect(nav.get_by_role("link", name=cyrillic_audit)).to_be_visible()
    expect(nav.get_by_role("button", name="Одјава")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "sr"

    page.get_by_role("button", name="Srpski").click()
    nav = page.get_by_role("navigation", name=_in("sr-latn", "Main navigation"))
    expect(nav.get_by_role("link", name=_in("sr-latn", "Audit trail"))).to_be_visible()
    expect(nav.get_by_role("button", name="Odjava")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "sr-latn"


def test_the_shell_fits_a_360_px_phone(
    phone_page: Page, login_as: Callable[[Page, str], None]
) -> None:
    login_as(phone_page, "vesna")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    phone_page.get_by_role("button", name="Show navigation").click()
    expect(phone_page.get_by_role("button", name="Sign out")).to_be_visible()
