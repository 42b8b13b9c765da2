"""Every page of every role, in Serbian, on a desktop and on a 360 px phone: WCAG 2.1 AA (axe-core,
no serious or critical violation) and nothing wider than the screen (issue 20).

The demo scenario is seeded once for the module through the apps' own services (``seed_demo``), so
every list has rows, every case its consent, services and proceedings, the audit trail its
entries. For each persona, the pages are found once, with Django's test client in the ``sr``
interface: from the home page, following the links the persona is shown, one page per URL pattern
(the navigation's pages, then the detail pages they link to: a case, a referral, a service request,
a screening and its result, a proceeding, a monitoring report, the statistics…). The browser then
visits each of them in ``sr`` at 1280×900 and at 360×740 and checks it (``pagecheck``). A URL that
an earlier persona reaches too (the statistics, the account pages) is checked once, by the first;
each persona's home page is its own and is always checked. Signing in is the sign-in test's
business (``test_login.py``): the personas here get their session cookie from the test client.

Seeding once keeps the module fast, so the tests here share the seeded database instead of each
getting a fresh one: the module seeds it, serves it with a live server of its own, and at its end
empties it and puts back the reference data the migrations had loaded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, expect
from pytest_django.live_server_helper import LiveServer

from opennrm.accounts.models import User
from opennrm.audit import triggers
from opennrm.demo.personas import PERSONAS
from tests.crawl import crawl
from tests.e2e.pagecheck import check_page, page_problems

# The marker makes pytest-django create the test database; each test runs in a transaction of its
# own, rolled back at its end, over the demo data that the module's fixture committed.
pytestmark = pytest.mark.django_db

USERNAMES = [p.username for p in PERSONAS if p.username != "cedomir"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}


@dataclass
class Site:
    url: str
    pages: dict[str, list[str]]
    sessions: dict[str, str]


@pytest.fixture(scope="module")
def site(django_db_setup: None, django_db_blocker: Any, browser: Browser) -> Iterator[Site]:
    """The seeded demo, its live server, and each persona's pages and signed-in session."""
    with django_db_blocker.unblock():
        reference_data = connection.creation.serialize_db_to_string()
        server = None
        try:
            triggers.install(connection)
            call_command("seed_demo", stdout=StringIO())
            pages: dict[str, list[str]] = {}
            sessions: dict[str, str] = {}
            checked: set[str] = set()
            for username in USERNAMES:
                client = Client()
                client.force_login(User.objects.get(username=username))
                client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sr"
                found = [url for url, _view, _html in crawl(client)]
                assert len(found) > 3, f"{username} reaches only {found}"
                pages[username] = [url for url in found if url == "/" or url not in checked]
                checked.update(found)
                sessions[username] = client.cookies[settings.SESSION_COOKIE_NAME].value
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            yield Site(server.url, pages, sessions)
        finally:
            if server is not None:
                server._live_server_modified_settings.disable()
                server.stop()
            triggers.uninstall(connection)
            # As a transactional test's end: the reference data, with its content types and
            # permissions, goes back as it was, so post_migrate must not make them anew.
            call_command(
                "flush",
                verbosity=0,
                interactive=False,
                inhibit_post_migrate=True,
                reset_sequences=False,  # as a transactional test: ids go on from where they were
            )
            connection.creation.deserialize_db_from_string(reference_data)
            triggers.install(connection)  # as migration 0002 left them


def _signed_in(browser: Browser, site: Site, username: str, viewport: str) -> BrowserContext:
    context = browser.new_context(
        base_url=site.url,
        viewport=VIEWPORTS[viewport],  # type: ignore[arg-type]
        is_mobile=viewport == "phone",
        has_touch=viewport == "phone",
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": site.sessions[username],
                "url": site.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "sr", "url": site.url},
        ]
    )
    context.set_default_timeout(20_000)
    return context


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("username", USERNAMES)
def test_every_page_meets_wcag_and_fits_the_screen(
    username: str, viewport: str, site: Site, browser: Browser
) -> None:
    context = _signed_in(browser, site, username, viewport)
    page = context.new_page()
    problems: dict[str, list[str]] = defaultdict(list)
    try:
        for url in site.pages[username]:
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == "sr", url
            problems[url] = page_problems(page)
    finally:
        context.close()
    found = {url: lines for url, lines in problems.items() if lines}
    report = "\n".join(
        f"{username} · {viewport} · {url}:\n" + "\n".join(f"  - {line}" for line in lines)
        for url, lines in found.items()
    )
    count = sum(len(lines) for lines in found.values())
    assert not found, f"{count} problems on {len(found)} of {len(problems)} pages:\n{report}"


def test_the_shelter_answers_a_request_on_a_phone_without_scrolling_sideways(
    site: Site, browser: Browser
) -> None:
    """The service inbox was 465 px wide on a phone, Accept and Decline off-screen (issue 20)."""
    context = _signed_in(browser, site, "milan", "phone")
    page = context.new_page()
    try:
        page.goto("/cases/services/?status=requested")
        accept = page.locator("form[action$='/accept/'] button").first
        decline = page.locator("a[href$='/decline/']").first
        for button in (accept, decline):
            expect(button).to_be_visible()
            box = button.bounding_box()
            assert box is not None
            span = f"{button.inner_text()} spans {box['x']:.0f}–{box['x'] + box['width']:.0f} px"
            assert box["x"] >= 0, span
            assert box["x"] + box["width"] <= 360, f"{span} on a 360 px screen"
    finally:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_sign_in_page_meets_wcag_and_fits_the_screen(
    viewport: str, site: Site, browser: Browser
) -> None:
    context = browser.new_context(
        base_url=site.url,
        viewport=VIEWPORTS[viewport],  # type: ignore[arg-type]
        is_mobile=viewport == "phone",
    )
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "sr", "url": site.url}])
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        check_page(page, f"the sign-in page · {viewport}")
    finally:
        context.close()


def test_a_wide_table_on_a_phone_is_a_named_region_scrolled_by_keyboard(
    site: Site, browser: Browser
) -> None:
    """The statistics tables scroll sideways on a phone: Tab reaches each, the arrow keys scroll
    it, and it is announced by its caption (axe's scrollable-region-focusable failed on main)."""
    context = _signed_in(browser, site, "vesna", "phone")
    page = context.new_page()
    try:
        page.goto("/statistics/")
        box = page.locator("#presumed_by_year .table-responsive")
        expect(box).to_have_attribute("tabindex", "0")
        expect(box).to_have_attribute("role", "region")
        caption = box.locator("caption").inner_text()
        expect(box).to_have_accessible_name(caption)
        box.focus()
        page.keyboard.press("ArrowRight")
        # Scrolling is smooth (it takes a few frames); wait_for_function would need eval, which
        # the CSP refuses, so the test polls.
        for _ in range(50):
            if box.evaluate("(el) => el.scrollLeft") > 0:
                break
            page.wait_for_timeout(100)
        assert box.evaluate("(el) => el.scrollLeft") > 0, "the arrow key did not scroll the table"
    finally:
        context.close()
