"""The demo screenings: made through the services, mixed, idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from opennrm.accounts.models import Agency, User
from opennrm.demo.context import DemoContext
from opennrm.screening import demo
from opennrm.screening.models import Screening

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_mixed_year_of_screenings_once(
    agencies: dict[str, Agency], personas: dict[str, User]
) -> None:
    ctx = DemoContext(agencies=agencies, users=personas, say=lambda text: None)
    demo.seed(ctx)
    demo.seed(ctx)
    screenings = Screening.objects.all()
    assert screenings.count() == 60
    assert screenings.filter(status="draft").count() == 5
    # Most belong to the action's 2020; the unfinished ones were begun in the last week and a few
    # others are recent, relative to the day the demo is seeded (issue 20).
    today = timezone.localdate()
    drafts = screenings.filter(status="draft")
    assert all(today - timedelta(days=6) <= s.screened_on <= today for s in drafts)
    recent = screenings.filter(screened_on__gte=today - timedelta(days=60))
    assert 5 < recent.count() < 20
    assert screenings.filter(screened_on__year=2020).count() == 60 - recent.count()
    outcomes = set(screenings.exclude(outcome="").values_list("outcome", flat=True))
    assert outcomes == {"indicators_of_trafficking", "insufficient_indicators"}
    age_groups = set(screenings.values_list("age_group", flat=True))
    assert age_groups == {"adult", "child", "presumed_child"}
    agency_types = set(screenings.values_list("agency__type", flat=True))
    assert agency_types == {"labour_inspectorate", "police", "cso", "social_welfare_centre"}
