"""Shared fixtures: the demo personas, logged-in clients, and the permission-matrix helper."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import hypothesis
import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from opennrm.accounts.models import Agency, User
from opennrm.audit import triggers
from opennrm.demo.base import ensure_agencies, ensure_personas
from opennrm.demo.personas import PERSONAS
from tests import live_server_sqlite

# No time limit per Hypothesis example: the suite shares two cores with a database server and
# with a second test worker, where a 200 ms deadline (Hypothesis' default) fails a correct test
# on a busy minute (seen: 238 ms). Speed is measured by the benchmarks under bench/, never by
# timed tests.
hypothesis.settings.register_profile("opennrm", deadline=None)
hypothesis.settings.load_profile("opennrm")

live_server_sqlite.install()  # SQLite in memory: the live server serves one request at a time

# Fails any test whose logs hold a demo name (issue 13: logs scrubbed).
pytest_plugins = ["tests.pii_log_guard"]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test ends in the default language. A request in Serbian leaves Serbian active in the
    thread (``LocaleMiddleware`` activates the request's language and nothing deactivates it
    after the response), and the next test on that worker would get Serbian messages."""
    yield
    translation.deactivate()


@pytest.fixture
def agencies(db: None) -> dict[str, Agency]:
    return ensure_agencies()


@pytest.fixture
def personas(agencies: dict[str, Agency]) -> dict[str, User]:
    """Ana, Vesna, Milan, Jelena, Marija, Dragan, Nada, Sanja, Zoran, Ivan and Čedomir (see demo.personas)."""
    return ensure_personas(agencies)


@pytest.fixture
def client_for(personas: dict[str, User]) -> Callable[[str], Client]:
    """A test client signed in as the named persona (two-factor already enrolled)."""
    clients: dict[str, Client] = {}

    def make(username: str) -> Client:
        if username not in clients:
            client = Client()
            client.force_login(personas[username])
            clients[username] = client
        return clients[username]

    return make


ALL_PERSONAS = tuple(p.username for p in PERSONAS)


def assert_access(
    client_for: Callable[[str], Client],
    url: str,
    *,
    allowed: Iterable[str],
    method: str = "get",
    data: dict[str, object] | None = None,
    ok_statuses: tuple[int, ...] = (200,),
) -> None:
    """Every persona in ``allowed`` gets an OK status; every other persona is refused (403/404)."""
    allowed = set(allowed)
    unknown = allowed - set(ALL_PERSONAS)
    assert not unknown, f"unknown personas {unknown}"
    failures = []
    for username in ALL_PERSONAS:
        response = getattr(client_for(username), method)(url, data or {})
        if username in allowed and response.status_code not in ok_statuses:
            failures.append(f"{username} should be allowed {url} but got {response.status_code}")
        if username not in allowed and response.status_code not in (403, 404):
            failures.append(f"{username} should be refused {url} but got {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.fixture
def audit_flushable(transactional_db: None) -> Iterator[None]:
    """For transactional tests (live server): the flush at teardown is a DELETE, which the
    append-only triggers refuse, so they are dropped just before it. Tests of the triggers
    themselves call ``triggers.install`` first (it is idempotent)."""
    triggers.install(connection)
    yield
    triggers.uninstall(connection)
