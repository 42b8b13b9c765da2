"""The cases demo: through the services, idempotent, across the workflow."""

from __future__ import annotations

import random

import pytest

from opennrm.accounts.models import Agency, User
from opennrm.cases import demo, vocab
from opennrm.cases.models import Case, Person, Referral
from opennrm.demo.context import DemoContext

pytestmark = pytest.mark.django_db


def test_the_demo_spans_the_workflow_and_runs_once(
    agencies: dict[str, Agency], personas: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "BASE_CASES", 60)
    lines: list[str] = []
    ctx = DemoContext(agencies=agencies, users=personas, rng=random.Random(7), say=lines.append)
    demo.seed(ctx)
    referrals = Referral.objects.count()
    assert referrals == 60
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"closed", "in_protection", "under_assessment"} <= statuses
    assert set(Referral.objects.values_list("from_user__username", flat=True)) == {"ana", "cedomir"}
    assert Case.objects.filter(is_child=True, status="in_protection").exclude(
        guardians=None
    ).count() == (Case.objects.filter(is_child=True, status="in_protection").count())
    assert all(p.code.startswith("RS-") for p in Person.objects.all())
    assert Case.objects.filter(opened_on__year__in=[2019, 2020, 2021]).exists()
    assert (
        Case.objects.filter(
            reflection_period_end__isnull=False, status=vocab.CaseStatus.PRESUMED_VICTIM
        ).exists()
        or Case.objects.filter(status="presumed_victim").count() == 0
    )
    demo.seed(ctx)
    assert Referral.objects.count() == referrals
    assert lines[-1] == "  cases: demo referrals already present, nothing added"
