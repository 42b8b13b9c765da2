"""A home for every role (issue 20): the trainer and the auditor see what needs them today,
each item linked to its page, instead of "choose a section"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client
from django.urls import reverse

from opennrm.accounts.models import Agency, User
from opennrm.audit.services import record
from opennrm.training import services as training

NOON = datetime(2026, 12, 5, 12, 0, tzinfo=ZoneInfo("Europe/Belgrade"))


def test_the_auditor_sees_this_weeks_flagged_entries_linked_to_their_trail(
    personas: dict[str, User], agencies: dict[str, Agency], client_for: Callable[[str], Client]
) -> None:
    with time_machine.travel(NOON - timedelta(days=10), tick=False):
        record(
            actor=personas["vesna"],
            verb="access.break_glass",
            target=agencies["astra"],
            purpose="An old access",
            flagged=True,
        )
    with time_machine.travel(NOON, tick=False):
        record(
            actor=personas["vesna"],
            verb="access.break_glass",
            target=agencies["shelter"],
            purpose="Urgent placement",
            flagged=True,
        )
        home = client_for("zoran").get("/").content.decode()
    assert "Flagged in the last seven days" in home
    trail = f"{reverse('audit:list')}?target_type=accounts.agency&amp;target_id="
    assert f'{trail}{agencies["shelter"].pk}"' in home
    assert f'{trail}{agencies["astra"].pk}"' not in home  # older than a week
    # A purpose may name a person: the home shows the kind of action and links to the trail,
    # where the auditor reads it.
    assert "Urgent placement" not in home
    assert "Choose a section" not in home


def test_the_trainer_sees_running_cohorts_and_events_starting_soon(
    personas: dict[str, User], agencies: dict[str, Agency], client_for: Callable[[str], Client]
) -> None:
    marija = personas["marija"]
    course = training.course_create(
        actor=marija, code="help", title="HELP", modules=[("intro", "Introduction")]
    )
    training.cohort_create(
        actor=marija,
        course=course,
        code="now",
        title="Judges, winter",
        target_group="judges_prosecutors",
        start=date(2026, 12, 1),
        end=date(2026, 12, 20),
        organiser=agencies["judicial_academy"],
    )
    training.cohort_create(
        actor=marija,
        course=course,
        code="past",
        title="Students, spring",
        target_group="law_students",
        start=date(2026, 3, 1),
        end=date(2026, 4, 1),
        organiser=agencies["coe"],
    )
    training.event_create(
        actor=marija,
        code="soon",
        title="Seminar in Niš",
        kind="seminar",
        place="Niš",
        start=date(2026, 12, 15),
        end=date(2026, 12, 16),
        organiser=agencies["coe"],
    )
    with time_machine.travel(NOON, tick=False):
        home = client_for("marija").get("/").content.decode()
    assert reverse("training:cohort", args=["now"]) in home
    assert reverse("training:event", args=["soon"]) in home
    assert reverse("training:cohort", args=["past"]) not in home
    assert "Choose a section" not in home
