"""The demo screenings: made through the services, mixed, idempotent."""

from __future__ import annotations

import pytest

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
    assert {s.screened_on.year for s in screenings} == {2020}
    outcomes = set(screenings.exclude(outcome="").values_list("outcome", flat=True))
    assert outcomes == {"indicators_of_trafficking", "insufficient_indicators"}
    age_groups = set(screenings.values_list("age_group", flat=True))
    assert age_groups == {"adult", "child", "presumed_child"}
    agency_types = set(screenings.values_list("agency__type", flat=True))
    assert agency_types == {"labour_inspectorate", "police", "cso", "social_welfare_centre"}
