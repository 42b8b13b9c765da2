"""The browser harness itself: starting chromium must not change which database connection the
tests use (the regression behind browser tests that failed only after certain others)."""

from __future__ import annotations

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
