"""The "Help" link (issue 20): every page of the project opens an existing section of the guide, so
a new page without its help fails here; each step of the guide happens on a page mapped to it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from opennrm.help import guide
from opennrm.help.pages import NOT_PAGES, SECTIONS, section_for


def _names(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("api/"):
                continue  # the REST API: JSON, no page
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _names(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_named_url_of_the_project_opens_a_section_or_is_no_page() -> None:
    names = set(_names(get_resolver().url_patterns))
    missing = sorted(names - set(SECTIONS) - NOT_PAGES)
    assert not missing, (
        "pages with no guide section: add each to opennrm/help/pages.py SECTIONS (a task, or its "
        f"role's overview) or, if it renders no page, to NOT_PAGES: {missing}"
    )
    assert not set(SECTIONS) & NOT_PAGES
    stale = sorted((set(SECTIONS) | NOT_PAGES) - names)
    assert not stale, f"URL names in opennrm/help/pages.py that no longer exist: {stale}"


def test_every_section_a_page_opens_exists() -> None:
    sections = guide.sections()
    unknown = {name: s for name, targets in SECTIONS.items() for s in targets if s not in sections}
    assert not unknown, unknown


def test_each_step_of_the_guide_happens_on_a_page_whose_help_is_its_task_or_role() -> None:
    for role in guide.GUIDE:
        for task in role.tasks:
            for step in task.steps:
                targets = SECTIONS[step.page]
                assert {f"{role.key}/{task.key}", role.key, guide.EVERYONE} & set(targets) or (
                    role.key == guide.EVERYONE
                ), (role.key, task.key, step.page, targets)


def test_the_section_follows_the_user_s_role_on_a_shared_page() -> None:
    assert section_for("cases:referral_list", {"case_manager"}) == "case_manager/referrals"
    assert section_for("cases:referral_list", {"screener"}) == "screener/refer"
    assert section_for("home", {"auditor"}) == "auditor"
    assert section_for("home", set()) == "everyone"
    assert section_for("cases:referral_list", set()) == "case_manager/referrals"


@pytest.mark.parametrize(
    ("username", "url", "section"),
    [
        ("vesna", "/cases/referrals/", "/help/case_manager/referrals/"),
        ("ana", "/cases/referrals/", "/help/screener/refer/"),
        ("ana", "/screening/new/", "/help/screener/screen/"),
        ("zoran", "/audit/", "/help/auditor/audit/"),
        ("ivan", "/manage/users/", "/help/admin/users/"),
        ("marija", "/", "/help/trainer/"),
        ("jelena", "/manage/profile/", "/help/everyone/account/"),
        ("dragan", "/help/", "/help/everyone/"),
    ],
)
def test_the_help_link_of_a_page_opens_its_section(
    client_for: Callable[[str], Client], username: str, url: str, section: str
) -> None:
    response = client_for(username).get(url)
    assert response.status_code == 200
    links = re.findall(r'<a class="nav-link" href="([^"]+)">Help</a>', response.content.decode())
    assert links == [section]
    assert client_for(username).get(section).status_code == 200
