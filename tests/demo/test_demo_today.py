"""The demo's case work is dated relative to the day it is seeded (issue 20): seeded on any
"today", the homes show work due about then — a few items due this week, a few overdue by
days — never items overdue for years. The action's 2019–2022 history keeps its dates."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from opennrm.accounts.models import Agency, User
from opennrm.cases import demo as cases_demo
from opennrm.cases.dashboard import deadline_list
from opennrm.cases.models import Case, ServiceRequest
from opennrm.demo.context import DemoContext
from opennrm.screening import demo as screening_demo
from opennrm.screening.models import Screening
from opennrm.training import demo as training_demo
from opennrm.training.models import Cohort

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "now", [datetime(2027, 3, 15, 9, 0, tzinfo=UTC), datetime(2031, 9, 1, 9, 0, tzinfo=UTC)]
)
def test_seeded_on_any_day_the_homes_show_current_work(
    now: datetime,
    agencies: dict[str, Agency],
    personas: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cases_demo, "BASE_CASES", 80)
    with time_machine.travel(now, tick=False):
        today = timezone.localdate()
        ctx = DemoContext(
            agencies=agencies, users=personas, rng=random.Random(11), say=lambda text: None
        )
        for module in (screening_demo, cases_demo, training_demo):
            module.seed(ctx)

        rows = deadline_list(actor=personas["vesna"])
        assert rows, "the case manager has deadlines"
        late = [r.deadline.due for r in rows if r.overdue]
        assert all(now - due < timedelta(days=8) for due in late), late
        assert len(late) < len(rows), "most work is in progress, not overdue"
        assert any(now <= r.deadline.due <= now + timedelta(days=7) for r in rows)

        for r in deadline_list(actor=personas["milan"]):
            assert now - r.deadline.due < timedelta(days=8)
        # Services completed when the person left, not on the day the demo ran (a provider
        # would otherwise see every closed case for its grace period).
        completed = ServiceRequest.objects.filter(status="completed")
        assert completed.exists()
        assert not completed.filter(completed_at__gte=now - timedelta(days=3)).exists()

        drafts = Screening.objects.filter(status="draft")
        assert drafts.exists()
        assert all(today - timedelta(days=6) <= s.screened_on <= today for s in drafts)
        # History keeps its years: the action's screenings, cases and HELP cohorts.
        assert Screening.objects.filter(screened_on__year=2020).exists()
        assert Case.objects.filter(opened_on__year__in=[2019, 2020, 2021]).exists()
        assert Cohort.objects.filter(code="help-2020-law-students", start__year=2020).exists()

        for name in ("vesna", "milan", "ana", "marija", "zoran"):
            client = Client()
            client.force_login(personas[name])
            page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
            shown = {int(y) for y in re.findall(r"\d\d/\d\d/(\d{4})", page)}
            assert shown <= {today.year - 1, today.year, today.year + 1}, (name, shown)
            assert shown or name in ("ana", "milan"), f"{name}'s home shows nothing dated"
            assert "Choose a section" not in page, name
