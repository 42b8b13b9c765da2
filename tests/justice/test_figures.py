from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from opennrm.core.errors import PermissionDeniedError
from opennrm.justice import services
from opennrm.justice.models import Defendant, Proceeding, VictimInProceeding
from opennrm.justice.selectors import justice_figures


def test_figures_match_direct_counts(personas, agencies, victim_case) -> None:
    from opennrm.demo.context import DemoContext
    from opennrm.justice import demo

    demo.seed(DemoContext(agencies=agencies, users=personas, say=lambda _m: None))
    figures = justice_figures(
        actor=personas["nada"], start=date(2019, 1, 1), end=date(2022, 12, 31)
    )
    assert figures.investigations == Proceeding.objects.count() == 5
    assert figures.convictions == Defendant.objects.filter(outcome="convicted").count() == 3
    assert figures.acquittals == 1
    assert figures.convictions_by_sex == {"male": 1, "female": 2}
    assert figures.requalified_charges == 1
    assert figures.prison_months_median == 48.0
    assert figures.compensation_awarded_eur == Decimal(3500)
    assert figures.compensation_paid_eur == Decimal(0)
    assert (
        figures.non_punishment_applied
        == VictimInProceeding.objects.filter(non_punishment_applied=True).count()
    )
    # Proceeding 1: investigation 2019-03-11 → final 2020-11-20; proceeding 2: 2020-02-03 → 2021-09-06.
    assert (
        figures.days_investigation_to_final_median
        == (
            (date(2020, 11, 20) - date(2019, 3, 11)).days
            + (date(2021, 9, 6) - date(2020, 2, 3)).days
        )
        / 2
    )


def test_people_without_statistics_or_justice_roles_get_no_figures(personas) -> None:
    for username in ("cedomir", "ivan", "marija", "milan"):
        with pytest.raises(PermissionDeniedError):
            justice_figures(
                actor=personas[username], start=date(2020, 1, 1), end=date(2020, 12, 31)
            )


def test_a_new_conviction_changes_the_figures(personas, proceeding) -> None:
    before = justice_figures(
        actor=personas["nada"], start=date(2020, 1, 1), end=date(2020, 12, 31)
    ).convictions
    defendant = services.defendant_add(
        actor=personas["jelena"], proceeding=proceeding, sex="male", offences=["CC-388"]
    )
    services.defendant_record_outcome(
        actor=personas["jelena"],
        defendant=defendant,
        expected_version=defendant.version,
        outcome="convicted",
        on=date(2020, 12, 1),
        prison_months=36,
    )
    assert (
        justice_figures(
            actor=personas["nada"], start=date(2020, 1, 1), end=date(2020, 12, 31)
        ).convictions
        == before + 1
    )
