"""The browser harness itself: starting chromium must not change which database connection the
tests use (the regression behind browser tests that failed only after certain others)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests
from django.db import connection, connections, transaction
from django.test import Client
from playwright.sync_api import Browser

from tests import live_server_sqlite


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


def test_the_tests_own_database_work_waits_for_the_live_servers_requests(
    server_url: str, client_for: Callable[[str], Client]
) -> None:
    """A page that polls (an import's progress bar) sends requests while the test runs the
    background job itself. On SQLite in memory both use the test's one connection, and a signed-in
    request saves its session in a savepoint of its own: interleaved with the job's savepoints, it
    broke the job's transaction in a CI run ("An error occurred in the current transaction").
    ``exclusive()`` holds the server's lock for the test's own work."""
    cookies = {"sessionid": client_for("marija").cookies["sessionid"].value}
    stop = threading.Event()
    served: list[int] = []

    def poll() -> None:
        while not stop.is_set():
            response = requests.get(
                f"{server_url}/readyz", cookies=cookies, timeout=30, allow_redirects=False
            )
            served.append(response.status_code)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns often, so an interleaving shows at once
    with ThreadPoolExecutor(max_workers=4) as pool:
        polls = [pool.submit(poll) for _ in range(4)]
        try:
            deadline = time.monotonic() + 60
            while len(served) < 100 and time.monotonic() < deadline:
                with live_server_sqlite.exclusive(), transaction.atomic():
                    for n in range(100):
                        with transaction.atomic(), connection.cursor() as cursor:
                            cursor.execute("SELECT %s + count(*) FROM django_migrations", [n])
                            assert cursor.fetchone()[0] >= n
        finally:
            stop.set()
            sys.setswitchinterval(interval)
        for future in polls:
            future.result()
    assert len(served) >= 100
    assert set(served) == {200}
