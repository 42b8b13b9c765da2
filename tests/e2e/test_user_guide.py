"""The user guide, walked in the browser (issue 20): each role's tasks as ``opennrm/help/guide.py``
describes them, in English, Serbian Cyrillic and Serbian Latin.

Each step opens its page as the guide says (the navigation entry it names, or the button or link of
the step before), checks that the page is the one the guide names and that the button or link the
guide names is there with the interface's label in that language. The guide's words and the
interface therefore cannot drift apart without this test failing.

Screeners' tasks are walked on a 360 px phone, the others on a desktop screen. With
``OPENNRM_GUIDE_SHOTS=<dir>`` set (``./dev guide`` sets it to ``var/guide``), a screenshot of
each step is saved as ``<dir>/<language>/<role>.<task>.<n>.png``: the names the help pages look for.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import resolve
from django.utils import timezone, translation
from playwright.sync_api import Browser, Page, expect

from opennrm.accounts.models import Agency, User
from opennrm.cases import services as case_services
from opennrm.cases import vocab
from opennrm.demo.base import totp_code
from opennrm.demo.personas import DEMO_PASSWORD
from opennrm.help import guide
from opennrm.justice import services as justice_services
from tests.cases.helpers import accepted_case, identified_case, refer

SHOTS = os.environ.get("OPENNRM_GUIDE_SHOTS", "")
# The persona who walks each role's part of the guide (opennrm/demo/personas.py).
WALKER = {
    guide.EVERYONE: "vesna",
    "screener": "ana",
    "case_manager": "vesna",
    "service_provider": "milan",
    "justice": "jelena",
    "trainer": "marija",
    "coordinator": "dragan",
    "national_coordinator": "nada",
    "auditor": "zoran",
    "admin": "ivan",
}

# Screeners work in the field: their part is walked (and pictured) on a 360 px phone.
PHONE = {"screener"}


def _in(language: str, message_id: str) -> str:
    with translation.override(language):
        return translation.gettext(message_id)


@dataclass
class Walk:
    page: Page
    language: str
    data: dict[str, Any] = field(default_factory=dict)

    def label(self, message_id: str) -> str:
        return _in(self.language, message_id)

    def click(self, kind: str, message_id: str) -> None:
        self.page.get_by_role(kind, name=self.label(message_id), exact=True).first.click()  # type: ignore[arg-type]


# What a person does, between two steps, that the guide's text describes (keyed by role, task and
# the step's number): before the step is checked, or after it (to reach the next step).
def _start_screening(walk: Walk) -> None:
    walk.page.locator("#id_age").fill("34")
    walk.click("button", "Start the interview")


def _open_first_referral(walk: Walk) -> None:
    walk.page.get_by_role("link", name=walk.data["referral_code"]).click()


def _open_case(walk: Walk) -> None:
    walk.page.goto(f"/cases/{walk.data['case_pk']}/")


def _save_proceeding(walk: Walk) -> None:
    office = walk.page.locator("#id_prosecutor_office")
    if not office.input_value():
        office.select_option(index=1)
    walk.click("button", "Save")


def _open_filter(walk: Walk) -> None:
    walk.page.locator("summary", has_text=walk.label("Filter")).click()


def _open_profile(walk: Walk) -> None:
    nav = walk.page.get_by_role("navigation", name=walk.label("Main navigation"))
    nav.get_by_role("link", name=walk.data["username"]).click()


BEFORE: dict[tuple[str, str, int], Callable[[Walk], None]] = {
    ("auditor", "audit", 1): _open_filter,
    (guide.EVERYONE, "account", 1): _open_profile,
}
AFTER: dict[tuple[str, str, int], Callable[[Walk], None]] = {
    ("screener", "screen", 1): lambda walk: walk.click("link", "New screening"),
    ("screener", "screen", 2): _start_screening,
    ("case_manager", "referrals", 1): _open_first_referral,
    ("case_manager", "referrals", 2): lambda walk: walk.click("button", "Acknowledge receipt"),
    ("case_manager", "case", 1): _open_case,
    ("justice", "proceedings", 1): lambda walk: walk.click("link", "New proceeding"),
    ("justice", "proceedings", 2): _save_proceeding,
    ("coordinator", "monitoring", 1): lambda walk: walk.click("link", "Progress reports"),
    ("national_coordinator", "statistics", 1): lambda walk: walk.click("button", "Show"),
}


def _shoot(walk: Walk, role: str, task: str, number: int) -> None:
    if not SHOTS:
        return
    folder = Path(SHOTS) / walk.language
    folder.mkdir(parents=True, exist_ok=True)
    walk.page.screenshot(path=str(folder / guide.shot_name(role, task, number)))


def _check_step(walk: Walk, role: str, task: str, number: int, step: guide.Step) -> None:
    where = f"{walk.language} {role}/{task} step {number}"
    if step.nav:
        toggler = walk.page.locator(".navbar-toggler")
        if toggler.is_visible():  # a phone: the menu opens first
            toggler.click()
        nav = walk.page.get_by_role("navigation", name=walk.label("Main navigation"))
        nav.get_by_role("link", name=walk.label(step.nav), exact=True).first.click()
    if (role, task, number) in BEFORE:
        BEFORE[(role, task, number)](walk)
    walk.page.wait_for_load_state()
    view = resolve(urlsplit(walk.page.url).path).view_name
    assert view == step.page, f"{where}: the guide says {step.page}, the browser is on {view}"
    if step.control:
        control = walk.page.get_by_role(step.kind, name=walk.label(step.control), exact=True)  # type: ignore[arg-type]
        expect(control.first, f"{where}: {step.control!r}").to_be_visible()
    _shoot(walk, role, task, number)
    if (role, task, number) in AFTER:
        AFTER[(role, task, number)](walk)


def _walk_tasks(walk: Walk, role: guide.RoleGuide, *, skip: str = "") -> None:
    for task in role.tasks:
        if task.key == skip:
            continue
        for number, step in enumerate(task.steps, start=1):
            _check_step(walk, role.key, task.key, number, step)
        walk.page.goto("/")


def _sign_in(walk: Walk, user: User, *, shots: bool) -> None:
    """Signs in as a person does, with the guide's sign-in steps checked (and taken) on the way."""
    page = walk.page
    steps = guide.ROLES[guide.EVERYONE].task("sign-in").steps  # type: ignore[union-attr]
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    if shots:
        _check_step(walk, guide.EVERYONE, "sign-in", 1, steps[0])
    page.get_by_role("button", name=walk.label("Sign in"), exact=True).click()
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    cache.clear()  # a code already used in this run is refused as a replay (see conftest.login_as)
    if time.time() % 30 > 25:
        time.sleep(30 - time.time() % 30 + 0.2)
    page.fill("input[name=code]", totp_code(user))
    if shots:
        _check_step(walk, guide.EVERYONE, "sign-in", 2, steps[1])
    page.get_by_role("button", name=walk.label("Sign In"), exact=True).click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    if shots:
        _check_step(walk, guide.EVERYONE, "sign-in", 3, steps[2])


def _data(role: str, personas: dict[str, User], agencies: dict[str, Agency]) -> dict[str, Any]:
    """What the role's tasks need to exist, made through the services as the other roles would."""
    ana, vesna = personas["ana"], personas["vesna"]
    if role == "case_manager":
        # Serbian words on the pages of the Serbian guide's screenshots.
        reason = "Радила 14 сати дневно у пекари; послодавац јој је узео пасош."
        feminine = {"gender": vocab.Gender.FEMININE, "citizenship": ["UA"], "reason": reason}
        referral = refer(ana, given_names="Оксана", family_name="Коваленко", **feminine)
        case = accepted_case(ana, vesna, given_names="Ивана", family_name="Ковач", **feminine)
        reference = referral.audit_label.removeprefix("referral ")  # as the inbox shows it
        return {"referral_code": reference, "case_pk": case.pk}
    if role == "service_provider":
        case = identified_case(ana, vesna)
        case_services.service_request_create(
            actor=vesna, case=case, service_type="shelter", provider_agency=agencies["shelter"]
        )
    if role == "justice":
        justice_services.proceeding_create(
            actor=personas["jelena"],
            prosecutor_office=agencies["prosecution"],
            started_on=timezone.localdate(),
        )
    return {}


def _help_link_opens_the_page_s_section(walk: Walk) -> None:
    """On the referral inbox, the case manager's Help opens the guide's task about referrals."""
    walk.page.goto("/cases/referrals/")
    nav = walk.page.get_by_role("navigation", name=walk.label("Main navigation"))
    nav.get_by_role("link", name=walk.label("Help"), exact=True).click()
    walk.page.wait_for_url("**/help/case_manager/referrals/")
    title = guide.content(walk.language)["case_manager"]["tasks"]["referrals"]["title"]
    expect(walk.page.get_by_role("heading", level=1)).to_have_text(title)


@pytest.mark.parametrize("language", guide.LANGUAGES)
@pytest.mark.parametrize("role", list(WALKER))
def test_the_guide_walks_as_written(
    browser: Browser,
    server_url: str,
    personas: dict[str, User],
    agencies: dict[str, Agency],
    role: str,
    language: str,
) -> None:
    user = personas[WALKER[role]]
    if role in PHONE:
        screen: dict[str, Any] = {"viewport": {"width": 360, "height": 740}, "is_mobile": True}
    else:
        screen = {"viewport": {"width": 1280, "height": 900}}
    context = browser.new_context(base_url=server_url, **screen)
    context.add_cookies([{"name": "django_language", "value": language, "url": server_url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    walk = Walk(page, language, _data(role, personas, agencies))
    walk.data["username"] = user.username
    try:
        _sign_in(walk, user, shots=role == guide.EVERYONE)
        assert page.locator("html").get_attribute("lang") == language
        _walk_tasks(walk, guide.ROLES[role], skip="sign-in")
        if role == guide.EVERYONE:
            _help_link_opens_the_page_s_section(walk)
    finally:
        context.close()
