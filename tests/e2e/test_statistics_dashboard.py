"""The coordinator on a phone: choose a period, see a chart with its table, small counts hidden."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from playwright.sync_api import Page, expect

from opennrm.accounts.models import Agency, User
from opennrm.cases import vocab
from tests.statistics.data import make_case


def test_the_coordinator_sees_protected_charts_and_tables_on_a_phone(
    phone_page: Page,
    login_as: Callable[[Page, str], None],
    personas: dict[str, User],
    agencies: dict[str, Agency],
) -> None:
    for n in range(9):
        make_case(
            centre=agencies["cptv"],
            caseworker=personas["vesna"],
            gender=vocab.Gender.MASCULINE if n < 2 else vocab.Gender.FEMININE,
            presumed_on=date(2026, 3, 1),
        )
    login_as(phone_page, "dragan")

    phone_page.goto("/statistics/")
    phone_page.get_by_label("From").fill("2026-01-01")
    phone_page.get_by_label("To").fill("2026-12-31")
    phone_page.get_by_role("button", name="Show", exact=True).click()

    section = phone_page.locator("#presumed_by_year")
    expect(section.locator("canvas[data-rendered='1']")).to_have_count(1)
    row = section.locator("tbody tr").first
    # Nobody "other or not specified", and 2 men: below 5, shown "<5" (the men perhaps as 5);
    # the legend says what "<5" means, inside its box.
    expect(row).to_contain_text("<5")
    expect(phone_page.locator(".alert-info")).to_contain_text("marks a count from 0 to 5 less one")
    phone_page.get_by_role("link", name="How figures are protected").first.click()
    expect(phone_page.get_by_role("heading", name="How statistics are protected")).to_be_visible()
