"""The browser harness itself: starting chromium must not change which database connection the
tests use (the regression behind browser tests that failed only after certain others)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
from django.db import connections
from playwright.sync_api import Browser


def test_the_test_database_connection_outlives_the_start_of_the_browser(
    django_db_setup: None, browser: Browser, django_db_serialized_rollback: None
) -> None:
    # ``django_db_setup`` comes first, so the database is set up (and, as this test asks for
    # serialized rollback, its reference data serialized onto the connection) before
    # Playwright's loop starts running in this thread.
    connection = connections["default"]
    assert browser.is_connected()
    assert hasattr(connection, "_test_serialized_contents"), (
        "the connection the tests use is not the one the database was set up on"
    )
    assert '"justice.offence"' in connection._test_serialized_contents


def test_parallel_requests_to_the_live_server_do_not_collide(server_url: str) -> None:
    """A service worker fires requests in parallel. On SQLite in memory the live server's request
    threads share the test's one connection, and two statements at once on it broke requests
    ("bad parameter or other API misuse", a 500 on /field/ in a CI run): the harness serves one
    request at a time there (``tests/live_server_sqlite.py``). On PostgreSQL each thread has its own."""
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(
            pool.map(
                lambda _n: requests.get(f"{server_url}/readyz", timeout=30).status_code,
                range(200),
            )
        )
    assert statuses == [200] * 200
