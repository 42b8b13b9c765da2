"""allauth's pages render inside the OpenNRM layout and obey the strict CSP (nothing inline)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from opennrm.accounts import services
from opennrm.accounts.models import Agency, User
from opennrm.demo.base import totp_code
from opennrm.demo.personas import DEMO_PASSWORD

PASSPHRASE = "tramvaj devet kasni u zoru"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|\sstyle=|\son[a-z]+=")


def _assert_in_layout(html: str) -> None:
    assert '<main id="main"' in html
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert INLINE.findall(html) == []
    assert "Menu:" not in html  # allauth's own layout is not used


def _signed_in_vesna() -> Client:
    client = Client()
    client.post("/accounts/login/", {"login": "vesna", "password": DEMO_PASSWORD})
    client.post(
        "/accounts/2fa/authenticate/", {"code": totp_code(User.objects.get(username="vesna"))}
    )
    return client


def test_the_sign_in_page_has_our_layout_and_no_sign_up_link(db: None) -> None:
    response = Client().get("/accounts/login/")
    html = response.content.decode()
    _assert_in_layout(html)
    assert '<label class="form-label" for="id_login">Username' in html
    assert "/accounts/signup/" not in html
    assert "Accounts are created by your agency's administrator." in html


def test_the_second_factor_page_has_our_layout(personas: dict[str, User]) -> None:
    client = Client()
    client.post("/accounts/login/", {"login": "vesna", "password": DEMO_PASSWORD})
    response = client.get("/accounts/2fa/authenticate/")
    assert response.status_code == 200
    _assert_in_layout(response.content.decode())


@pytest.mark.parametrize(
    "url", ["/accounts/2fa/", "/accounts/password/change/", "/manage/profile/"]
)
def test_account_management_pages_have_our_layout(personas: dict[str, User], url: str) -> None:
    response = _signed_in_vesna().get(url)
    assert response.status_code == 200
    _assert_in_layout(response.content.decode())


def test_recovery_codes_are_shown_without_scripts(personas: dict[str, User]) -> None:
    client = _signed_in_vesna()
    client.post("/accounts/reauthenticate/", {"password": DEMO_PASSWORD})
    response = client.get("/accounts/2fa/recovery-codes/")
    html = response.content.decode()
    _assert_in_layout(html)
    assert "<script" not in html.split("</main>")[0]
    assert "There are 10 out of 10 recovery codes available." in html


def test_totp_enrolment_shows_a_local_qr_code_and_the_secret(agencies: dict[str, Agency]) -> None:
    services.user_create(
        actor=None,
        username="novak",
        agency=agencies["cptv"],
        roles=["case_manager"],
        password=PASSPHRASE,
    )
    client = Client()
    client.post("/accounts/login/", {"login": "novak", "password": PASSPHRASE})
    assert client.get("/")["Location"] == "/accounts/2fa/totp/activate/"
    client.post("/accounts/reauthenticate/", {"password": PASSPHRASE})
    response = client.get("/accounts/2fa/totp/activate/")
    html = response.content.decode()
    _assert_in_layout(html)
    # The QR code is an inline data: image (allowed by img-src), never fetched from elsewhere.
    assert re.search(r'<img class="[^"]*onrm-qr" src="data:image/svg\+xml;base64,', html)
    assert re.search(r'id="authenticator_secret"[^>]*value="[A-Z2-7]{32}"', html)


def test_the_sign_in_page_is_translated_to_serbian(db: None) -> None:
    client = Client(headers={"accept-language": "sr"})
    html = client.get("/accounts/login/").content.decode()
    assert "Налоге отвара администратор ваше институције." in html
    assert '<h1 class="h3 mb-3">Пријава</h1>' in html


def test_allauths_rate_limit_page_has_our_layout(db: None, settings: object) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip", "login_failed": None}  # type: ignore[attr-defined]
    client = Client()
    statuses = [
        client.post("/accounts/login/", {"login": "x", "password": "y"}).status_code
        for _attempt in range(3)
    ]
    assert statuses == [200, 200, 429]
    html = client.post("/accounts/login/", {"login": "x", "password": "y"}).content.decode()
    _assert_in_layout(html)
    assert "Too many sign-in requests came from your network in a short time." in html
