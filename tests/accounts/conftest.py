from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client

from opennrm.accounts.models import User
from opennrm.demo.base import totp_code
from opennrm.demo.personas import DEMO_PASSWORD


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    """allauth counts sign-in requests per address in the cache, which outlives a test's
    database; without a clear, a fast run of sign-in tests meets its 429 page."""
    cache.clear()


@pytest.fixture
def totp_client(personas: dict[str, User]) -> Callable[[str], Client]:
    """A test client signed in through the real pages: password, then the current TOTP code.

    Unlike ``client_for`` (``force_login``), its session carries allauth's record of the second
    factor, which issuing an API token requires.
    """

    def make(username: str) -> Client:
        client = Client()
        first = client.post("/accounts/login/", {"login": username, "password": DEMO_PASSWORD})
        assert first["Location"].startswith("/accounts/2fa/authenticate/"), first
        cache.clear()  # a code already used in this 30-second step would be refused as replay
        second = client.post("/accounts/2fa/authenticate/", {"code": totp_code(personas[username])})
        assert second.status_code == 302, second
        assert "/accounts/" not in second["Location"], second
        return client

    return make
