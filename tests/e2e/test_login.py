from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from opennrm.accounts import services
from opennrm.accounts.models import Agency, User

PASSPHRASE = "tramvaj devet kasni u zoru"


def test_a_case_manager_signs_in_with_a_password_and_a_totp_code(
    page: Page, login_as: Callable[[Page, str], None]
) -> None:
    login_as(page, "vesna")
    expect(page.locator("h1")).to_contain_text("Vesna")


def test_five_wrong_passwords_show_the_lockout_page(
    page: Page, personas: dict[str, User], settings: Any
) -> None:
    # Mirrors the AXES_USERNAME_CALLABLE setting requested from the lead.
    settings.AXES_USERNAME_CALLABLE = "opennrm.accounts.lockout.lockout_username"
    page.goto("/accounts/login/")
    for _attempt in range(5):
        page.get_by_label("Username").fill("ana")
        page.get_by_label("Password").fill("not the right password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Sign-in paused")
    expect(page.locator("main")).to_contain_text("Try again in 30 minutes")


def test_a_new_case_manager_is_sent_to_enrol_an_authenticator_and_then_reaches_home(
    page: Page, agencies: dict[str, Agency]
) -> None:
    services.user_create(
        actor=None,
        username="novak",
        first_name="Novak",
        agency=agencies["cptv"],
        roles=["case_manager"],
        password=PASSPHRASE,
    )
    csp_reports: list[str] = []
    page.on(
        "console", lambda m: csp_reports.append(m.text) if "Content Security" in m.text else None
    )
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("novak")
    page.get_by_label("Password").fill(PASSPHRASE)
    page.get_by_role("button", name="Sign in").click()
    # Binding an authenticator is sensitive (a stolen session must not enrol its own), so allauth
    # asks for the password once more before showing the secret.
    page.wait_for_url("**/accounts/reauthenticate/**")
    expect(page.locator("main")).to_contain_text(
        "Your role requires two-factor authentication. Set it up to continue."
    )
    page.get_by_label("Password").fill(PASSPHRASE)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    qr = page.locator("img.onrm-qr")
    expect(qr).to_be_visible()
    assert str(qr.get_attribute("src")).startswith("data:image/svg+xml;base64,")
    secret = page.locator("#authenticator_secret").input_value()
    counter = int(time.time() // app_settings.TOTP_PERIOD)
    page.get_by_label("Authenticator code").fill(
        str(format_hotp_value(hotp_value(secret, counter)))
    )
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(lambda url: "/totp/activate/" not in url)
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("Novak")
    assert csp_reports == []


@pytest.mark.parametrize("path", ["/accounts/login/"])
def test_the_sign_in_page_works_on_a_phone_without_csp_violations(
    phone_page: Page, db: None, path: str
) -> None:
    violations: list[str] = []
    phone_page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    phone_page.goto(path)
    expect(phone_page.get_by_label("Username")).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert violations == []
