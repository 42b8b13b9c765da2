"""In a real browser: a form that failed puts the focus on its error summary, and a link of the
summary puts it on the field (issue 20)."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect


def test_the_error_summary_takes_the_focus_and_leads_to_the_field(
    page: Page, login_as: Callable[[Page, str], None], server_url: str
) -> None:
    login_as(page, "ivan")
    page.goto(f"{server_url}/manage/agencies/")
    page.get_by_role("button", name="Create agency").click()  # the name left empty
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    summary.locator("a").first.click()
    expect(page.locator("#id_name")).to_be_focused()
    assert page.locator("#id_name").get_attribute("aria-invalid") == "true"
