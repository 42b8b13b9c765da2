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


def test_the_demo_yields_37_law_students_with_11_volunteering(seeded: dict[str, User]) -> None:
    figures = cohort_figures(actor=seeded["dragan"], cohort_code="help-2020-law-students")
    assert figures.completed_all_modules == 37
    assert figures.modules == 9
    assert figures.applied_to_volunteer == 11
    assert figures.enrolled == 42


def test_the_demo_yields_31_judges_and_prosecutors(seeded: dict[str, User]) -> None:
    figures = cohort_figures(actor=seeded["marija"], cohort_code="help-2020-judges-prosecutors")
    assert figures.enrolled == 31
    assert figures.completed_all_modules == 31


def test_the_demo_yields_83_percent_of_labour_inspectors(seeded: dict[str, User]) -> None:
    coverage = population_coverage(
        actor=seeded["nada"], population_code="labour_inspectors", on=date(2020, 12, 31)
    )
    assert (coverage.trained, coverage.headcount) == (249, 300)
    assert coverage.share == pytest.approx(0.83)
    before = population_coverage(
        actor=seeded["nada"], population_code="labour_inspectors", on=date(2020, 1, 31)
    )
    assert before.trained == 0


def test_the_demo_yields_two_labour_exploitation_campaigns(seeded: dict[str, User]) -> None:
    reach = campaign_reach(actor=seeded["dragan"], start=date(2020, 1, 1), end=date(2020, 12, 31))
    assert reach.campaigns == 2
    assert reach.people_reached == 18_400 + 26_900 + 31_200 + 9_800 + 14_500 + 12_300
    assert reach.events == 24
    assert reach.hotline_calls == 143


def test_the_demo_seed_is_idempotent(
    seeded: dict[str, User], agencies: dict[str, Agency]
) -> None:
    ctx = DemoContext(agencies=agencies, users=seeded, say=lambda _text: None)
    training_demo.seed(ctx)
    awareness_demo.seed(ctx)
    figures = cohort_figures(actor=seeded["marija"], cohort_code="help-2020-law-students")
    assert figures.completed_all_modules == 37


@pytest.mark.parametrize("username", ["cedomir", "ivan", "vesna", "zoran"])
def test_the_monitoring_selectors_refuse_people_without_training_view(
    seeded: dict[str, User], username: str
) -> None:
    with pytest.raises(PermissionDeniedError):
        population_coverage(actor=seeded[username], population_code="labour_inspectors")
    with pytest.raises(PermissionDeniedError):
        cohort_figures(actor=seeded[username], cohort_code="help-2020-law-students")
    with pytest.raises(PermissionDeniedError):
        campaign_reach(actor=seeded[username], start=date(2020, 1, 1), end=date(2020, 12, 31))
