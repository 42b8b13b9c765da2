"""The auditor on a phone: sign in, filter the trail to flagged entries, verify the chain."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from opennrm.accounts.models import User
from opennrm.audit.services import record


def test_the_auditor_filters_flagged_entries_and_verifies_the_chain_on_a_phone(
    phone_page: Page, login_as: Callable[[Page, str], None], personas: dict[str, User]
) -> None:
    record(
        actor=personas["vesna"],
        verb="access.break_glass",
        target_type="cases.case",
        target_id="42",
        target_label="RS-2026-00042",
        purpose="urgent placement",
        flagged=True,
    )
    login_as(phone_page, "zoran")

    phone_page.goto("/audit/")
    phone_page.get_by_text("Filter", exact=True).click()
    phone_page.get_by_label("Flagged only (break the glass, lockouts)").check()
    phone_page.get_by_role("button", name="Apply").click()

    rows = phone_page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Break the glass: access outside own cases")
    expect(rows.first).to_contain_text("RS-2026-00042")

    phone_page.get_by_role("button", name="Verify the chain").click()
    expect(phone_page.get_by_role("status")).to_contain_text("The chain is intact:")
