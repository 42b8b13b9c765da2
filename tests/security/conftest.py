"""Attack tests against a live server (issue 13): real HTTP, real sign-in pages, real personas.

Each test file here re-runs one probe of the security review against ``live_server`` as the role
concerned and asserts it is refused. Fixtures:

- ``server`` — the live server's base URL (transactional database; the reference data that
  migrations load is put back before each test, as in the browser tests).
- ``sign_in(username)`` — a ``requests.Session`` signed in as a demo persona through
  ``/accounts/login/`` with the demo password and then ``/accounts/2fa/authenticate/`` with the
  current TOTP code, exactly as a person does. Its ``csrf()`` helper returns the CSRF token for
  unsafe requests (``session.post(url, data={..., "csrfmiddlewaretoken": session.csrf()})`` or
  the ``X-CSRFToken`` header for the API).
- ``password_step(username)`` — a session that has passed only the password step and stands at
  the two-factor form (for probes of the second factor itself).
- ``totp_for(username)`` — the persona's current TOTP code.

``requests`` (pinned in requirements-dev.txt) is the client: the attacker in the review used a
plain HTTP client too, and it follows no JavaScript or browser protections.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import pytest
import requests
from django.core.cache import cache

from opennrm.accounts.models import User
from opennrm.demo.base import totp_code
from opennrm.demo.personas import DEMO_PASSWORD

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session(requests.Session):
    """A ``requests.Session`` bound to the live server: paths are relative to its URL."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.headers["Accept-Language"] = "en"

    def request(self, method: str, url: str, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        if url.startswith("/"):
            url = self.base_url + url
        kwargs.setdefault("timeout", 30)
        return super().request(method, url, *args, **kwargs)

    def csrf(self) -> str:
        """The CSRF token, fetching the sign-in page once if no cookie is set yet."""
        token = self.cookies.get("csrftoken")
        if not token:
            self.get("/accounts/login/")
            token = self.cookies.get("csrftoken")
        assert token, "the server set no CSRF cookie"
        return str(token)

    def form_post(self, path: str, data: dict[str, object] | None = None, **kwargs):  # type: ignore[no-untyped-def]
        """POST a form as the browser does: CSRF token in the body, Referer of the same origin."""
        body = {"csrfmiddlewaretoken": self.csrf(), **(data or {})}
        headers = {"Referer": self.base_url + path, **kwargs.pop("headers", {})}
        return self.post(path, data=body, headers=headers, **kwargs)

    def api(self, method: str, path: str, **kwargs):  # type: ignore[no-untyped-def]
        """An API call on the signed-in session (CSRF header added for unsafe methods)."""
        headers = dict(kwargs.pop("headers", {}))
        if method.upper() not in {"GET", "HEAD", "OPTIONS"}:
            headers.setdefault("X-CSRFToken", self.csrf())
            headers.setdefault("Referer", self.base_url + "/")
        return self.request(method, path, headers=headers, **kwargs)


def csrf_from(html: str) -> str:
    """The CSRF token embedded in a page's form."""
    match = _CSRF_INPUT.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


@pytest.fixture
def server(live_server, audit_flushable: None, django_db_serialized_rollback: None) -> str:  # type: ignore[no-untyped-def]
    """The live server's URL, with a cleared cache (allauth's rate limits and used TOTP codes)."""
    cache.clear()
    return str(live_server.url).rstrip("/")


@pytest.fixture
def totp_for(personas: dict[str, User]) -> Callable[[str], str]:
    def code(username: str) -> str:
        # Wait for a fresh code when the current one is about to roll over, as a person would.
        if time.time() % 30 > 26:
            time.sleep(30 - time.time() % 30 + 0.2)
        return totp_code(personas[username])

    return code


@pytest.fixture
def password_step(server: str, personas: dict[str, User]) -> Callable[[str], Session]:
    """A session past the password, standing at the two-factor form."""

    def step(username: str, password: str = DEMO_PASSWORD) -> Session:
        session = Session(server)
        response = session.form_post("/accounts/login/", {"login": username, "password": password})
        assert "/accounts/2fa/authenticate/" in response.url, (
            f"{username} did not reach the two-factor step (at {response.url}, "
            f"status {response.status_code})"
        )
        return session

    return step


@pytest.fixture
def sign_in(
    password_step: Callable[[str], Session], totp_for: Callable[[str], str]
) -> Iterator[Callable[[str], Session]]:
    """Sessions signed in with password and TOTP through the real pages, one per call."""
    sessions: list[Session] = []

    def login(username: str) -> Session:
        session = password_step(username)
        # allauth refuses a TOTP code already used (kept in the cache): signing the same person in
        # twice in one 30-second step would otherwise be taken for a replay.
        cache.clear()
        response = session.form_post("/accounts/2fa/authenticate/", {"code": totp_for(username)})
        assert "/accounts/" not in response.url, (
            f"{username} was not signed in (at {response.url}, status {response.status_code})"
        )
        sessions.append(session)
        return session

    yield login
    for session in sessions:
        session.close()
