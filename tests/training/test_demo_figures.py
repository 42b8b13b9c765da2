"""The demo reproduces the action's published 2020 figures, computed through the selectors."""

from __future__ import annotations

from datetime import date

import pytest

from opennrm.accounts.models import Agency, User
from opennrm.awareness import demo as awareness_demo
from opennrm.awareness.selectors import campaign_reach
from opennrm.core.errors import PermissionDeniedError
from opennrm.demo.context import DemoContext
from opennrm.training import demo as training_demo
from opennrm.training.selectors import cohort_figures, population_coverage


@pytest.fixture
def seeded(agencies: dict[str, Agency], personas: dict[str, User]) -> dict[str, User]:
    ctx = DemoContext(agencies=agencies, users=personas, say=lambda _text: None)
    training_demo.seed(ctx)
    awareness_demo.seed(ctx)
    return personas


def test_the_demo_computes_the_published_2020_figures(seeded: dict[str, User]) -> None:
    students = cohort_figures(actor=seeded["dragan"], cohort_code="help-2020-law-students")
    assert (students.enrolled, students.completed_all_modules, students.modules) == (42, 37, 9)
    assert students.applied_to_volunteer == 11
    judges = cohort_figures(actor=seeded["marija"], cohort_code="help-2020-judges-prosecutors")
    assert (judges.enrolled, judges.completed_all_modules) == (31, 31)
    coverage = population_coverage(
        actor=seeded["nada"], population_code="labour_inspectors", on=date(2020, 12, 31)
    )
    assert (coverage.trained, coverage.headcount) == (249, 300)
    assert coverage.share == pytest.approx(0.83)
    assert round(coverage.share * 100) == 83
    before = population_coverage(
        actor=seeded["nada"], population_code="labour_inspectors", on=date(2020, 1, 31)
    )
    assert (before.trained, before.share) == (0, 0.0)
    reach = campaign_reach(actor=seeded["dragan"], start=date(2020, 1, 1), end=date(2020, 12, 31))
    assert reach.campaigns == 2
    assert reach.people_reached == 18_400 + 26_900 + 31_200 + 9_800 + 14_500 + 12_300
    assert (reach.events, reach.materials, reach.hotline_calls) == (24, 16_100, 143)


def test_the_demo_seed_is_idempotent(seeded: dict[str, User], agencies: dict[str, Agency]) -> None:
    ctx = DemoContext(agencies=agencies, users=seeded, say=lambda _text: None)
    training_demo.seed(ctx)
    awareness_demo.seed(ctx)
    figures = cohort_figures(actor=seeded["marija"], cohort_code="help-2020-law-students")
    assert figures.completed_all_modules == 37


@pytest.mark.parametrize("username", ["cedomir", "ivan", "vesna", "zoran"])
def test_the_monitoring_selectors_refuse_people_without_training_view(
    personas: dict[str, User], username: str
) -> None:
    with pytest.raises(PermissionDeniedError):
        population_coverage(actor=personas[username], population_code="labour_inspectors")
    with pytest.raises(PermissionDeniedError):
        cohort_figures(actor=personas[username], cohort_code="help-2020-law-students")
    with pytest.raises(PermissionDeniedError):
        campaign_reach(actor=personas[username], start=date(2020, 1, 1), end=date(2020, 12, 31))
