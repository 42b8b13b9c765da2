"""Browser tests: Playwright (Python, sync API) driving Debian's chromium against the live server.

Use the ``page`` fixture (phone-sized with ``phone_page``) and ``login_as(page, "vesna")``, which
signs in with the password and the current TOTP code, as a person would.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.db import connections
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from opennrm.accounts.models import User
from opennrm.demo.base import totp_code
from opennrm.demo.personas import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One chromium for the session.

    Playwright's sync API leaves its asyncio loop *running* in this thread, and Django keeps
    database connections in an ``asgiref.local.Local(thread_critical=True)``, which stores them
    thread-locally while no loop runs but per context once one does. Without care, a test that
    follows the start of the browser gets a second, fresh ``connections["default"]``: one that
    lacks the serialized reference data (``_test_serialized_contents``) that serialized rollback
    puts back, so the migrations' offences, catalogues and vocabularies vanished for every
    browser test on a worker whose first test set the database up before the browser started.
    The connections seen before the start are therefore handed to the loop's storage too."""
    before = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, wrapper in before.items():
            connections[alias] = wrapper
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def server_url(live_server, audit_flushable: None, django_db_serialized_rollback: None) -> str:  # type: ignore[no-untyped-def]
    """The live server. Serialized rollback puts back, before each browser test, the reference data
    that migrations load (indicator catalogues, offences) and that the previous test's flush removed."""
    return str(live_server.url)


@pytest.fixture
def page(browser: Browser, server_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=server_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser: Browser, server_url: str) -> Iterator[Page]:
    """A 360 px wide touch screen, as a labour inspector's phone."""
    context = browser.new_context(
        base_url=server_url, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def login_as(personas: dict[str, User]) -> Callable[[Page, str], None]:
    def login(page: Page, username: str) -> None:
        page.goto("/accounts/login/")
        page.fill("input[name=login]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.locator("form button[type=submit]").first.click()
        page.wait_for_url("**/accounts/2fa/authenticate/**")
        # allauth refuses a TOTP code already used (remembered in the cache); tests that sign
        # the same person in twice within 30 seconds would otherwise be refused, as replay.
        cache.clear()
        # A person waits for a fresh code when theirs is about to roll over; so does the test,
        # so that a slow first request on a cold server never lands two steps later.
        if time.time() % 30 > 25:
            time.sleep(30 - time.time() % 30 + 0.2)
        page.fill("input[name=code]", totp_code(personas[username]))
        page.locator("form button[type=submit]").first.click()
        try:
            page.wait_for_url(lambda url: "/accounts/" not in url)
        except PlaywrightTimeoutError:
            errors = page.locator(".invalid-feedback, .alert, .errorlist").all_inner_texts()
            raise AssertionError(
                f"{username} was not signed in; the page at {page.url} says: {errors}"
            ) from None

    return login
