"""The interview in sections with a progress count, reopened where the screener left off, and a
next step after every result, a negative one too (issue 20: one 10,000-pixel page of 67
questions with no "answered x of 67"; a negative result offered no next step)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from opennrm.accounts.models import User

from .helpers import answer, completed, start

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]


def test_the_interview_is_in_sections_with_a_count_without_javascript(
    client_for: Clients, personas: dict[str, User]
) -> None:
    screening = start(personas["ana"])
    answer(personas["ana"], screening, {"AL-DR-01": "present", "AL-DR-02": "unknown"})
    page = client_for("ana").get(reverse("screening:edit", args=[screening.pk])).text
    total = page.count('<fieldset class="q"')
    assert total > 20
    progress = re.search(r'<p id="scr-progress"[^>]*>([^<]*)</p>', page)
    assert progress is not None
    assert progress.group(1) == f"Answered 2 of {total} questions"
    sections = re.findall(r'<section class="scr-sec" id="([^"]+)"', page)
    assert len(sections) > 1  # the indicator groups, each its own section
    for section in sections:
        assert f'<a href="#{section}">' in page  # listed at the top
    first = re.search(
        rf'id="{sections[0]}".*?data-section-count="{sections[0]}">([^<]*)<', page, re.S
    )
    assert first is not None
    assert re.fullmatch(r"2 of \d+", first.group(1))
    # The count is updated by a static script (the CSP allows no inline script).
    assert '<script src="/static/screening/progress.js" defer></script>' in page
    assert "<script>" not in page


def test_a_draft_reopens_where_the_screener_left_off(
    client_for: Clients, personas: dict[str, User]
) -> None:
    screening = start(personas["ana"])
    client = client_for("ana")
    fresh = client.get(reverse("screening:edit", args=[screening.pk])).text
    assert "data-resume" not in fresh  # nothing answered: start at the top
    codes = re.findall(r'<fieldset class="q" id="q-([^"]+)"', fresh)
    answer(personas["ana"], screening, {codes[0]: "absent", codes[1]: "present"})
    page = client.get(reverse("screening:edit", args=[screening.pk])).text
    assert f'href="#q-{codes[2]}" data-resume' in page
    assert f'id="q-{codes[2]}"' in page


def test_the_interview_counts_in_serbian(client_for: Clients, personas: dict[str, User]) -> None:
    screening = start(personas["ana"])
    client = client_for("ana")
    client.cookies["django_language"] = "sr"
    page = client.get(reverse("screening:edit", args=[screening.pk]), HTTP_ACCEPT_LANGUAGE="sr")
    assert "Одговорено 0 од" in page.text


def test_a_negative_result_says_what_to_do_next(
    client_for: Clients, personas: dict[str, User]
) -> None:
    screening = completed(personas["ana"], answers={"AL-DR-01": "present"})
    page = client_for("ana").get(reverse("screening:detail", args=[screening.pk])).text
    assert "What to do next" in page
    assert "If circumstances change or new facts come out, screen the person again." in page
    assert "centre for social work" in page
    assert f'href="{reverse("screening:start")}">Screen again' in page
    refer = reverse("cases:refer_from_screening", kwargs={"screening_id": screening.pk})
    assert f'href="{refer}">Refer anyway' in page
    assert "Refer this person" not in page


def test_a_positive_result_says_to_refer_and_then_to_follow_the_referral(
    client_for: Clients, personas: dict[str, User]
) -> None:
    from opennrm.cases import services as cases

    screening = completed(personas["ana"])
    client = client_for("ana")
    page = client.get(reverse("screening:detail", args=[screening.pk])).text
    assert "What to do next" in page
    assert "refer the person now" in page
    assert "Screen again" not in page
    cases.referral_from_screening(
        actor=personas["ana"],
        screening_id=screening.pk,
        given_names="Test",
        family_name="Person",
        consent_given=True,
        consent_scope=["referral"],
    )
    page = client.get(reverse("screening:detail", args=[screening.pk])).text
    assert "The person has been referred." in page
    assert "Refer anyway" not in page
