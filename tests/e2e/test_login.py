from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect


def test_a_case_manager_signs_in_with_a_password_and_a_totp_code(
    page: Page, login_as: Callable[[Page, str], None]
) -> None:
    login_as(page, "vesna")
    expect(page.locator("h1")).to_contain_text("Vesna")
