"""Every registered metric against a direct count of its source records, and its permission."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from opennrm.accounts.models import Agency, User
from opennrm.core.errors import NotFoundError, PermissionDeniedError
from opennrm.demo.context import DemoContext
from opennrm.monitoring import metrics
from opennrm.monitoring.metrics import REGISTRY, evaluate
from opennrm.monitoring.models import Activity, GretaRecommendation
from tests.monitoring.conftest import World

pytestmark = pytest.mark.django_db

START, END = date(2020, 1, 1), date(2020, 10, 31)


def test_the_registry_lists_exactly_the_metrics_whose_sources_exist() -> None:
    assert sorted(REGISTRY) == [
        "awareness.campaigns",
        "awareness.campaigns:grant_based",
        "awareness.reach",
        "cases.identified:children",
        "cases.identified:labour_exploitation",
        "cases.referrals:labour_inspectorate",
        "monitoring.activities_completed",
        "monitoring.recommendations_implemented",
        "screening.count:labour_inspectorate",
        "training.completed:help-2020-judges-prosecutors",
        "training.completed:help-2020-law-students",
        "training.coverage:labour_inspectors",
        "training.volunteers:help-2020-law-students",
    ]
    assert sorted(name for name, m in REGISTRY.items() if m.counts_victims) == [
        "cases.identified:children",
        "cases.identified:labour_exploitation",
        "cases.referrals:labour_inspectorate",
        "screening.count:labour_inspectorate",
    ]


def test_monitoring_metrics_match_a_direct_count(world: World, personas) -> None:
    dragan = personas["dragan"]
    implemented = GretaRecommendation.objects.filter(status__in=["partly", "fully"]).count()
    total = GretaRecommendation.objects.count()
    value = evaluate("monitoring.recommendations_implemented", actor=dragan, start=START, end=END)
    assert value.value == Decimal(100 * implemented / total) == Decimal(25)
    completed = Activity.objects.filter(status="completed", ends_on__lte=END).count()
    assert (
        evaluate("monitoring.activities_completed", actor=dragan, start=START, end=END).value
        == (Decimal(completed))
        == Decimal(1)
    )
    early = evaluate(
        "monitoring.activities_completed", actor=dragan, start=START, end=date(2020, 8, 1)
    )
    assert early.value == 0


@pytest.fixture
def other_demos(agencies: dict[str, Agency], personas: dict[str, User]) -> None:
    from opennrm.awareness import demo as awareness_demo
    from opennrm.training import demo as training_demo

    ctx = DemoContext(agencies=agencies, users=personas, say=lambda text: None)
    training_demo.seed(ctx)
    awareness_demo.seed(ctx)


def test_training_and_awareness_metrics_match_a_direct_count(other_demos, personas) -> None:
    from opennrm.awareness.models import Campaign, ReachReport
    from opennrm.training.models import (
        Enrolment,
        EnrolmentOutcome,
        Headcount,
        Profession,
        TargetPopulation,
        Trainee,
    )

    nada = personas["nada"]

    def value(name: str) -> Decimal | None:
        return evaluate(name, actor=nada, start=START, end=END).value

    population = TargetPopulation.objects.get(code="labour_inspectors")
    trained = (
        Trainee.objects.filter(
            profession=Profession.LABOUR_INSPECTOR,
            attendances__event__in=population.qualifying_events.all(),
            attendances__event__end__lte=END,
        )
        .distinct()
        .count()
    )
    headcount = Headcount.objects.filter(population=population).latest("on").headcount
    assert (trained, headcount) == (249, 300)
    assert value("training.coverage:labour_inspectors") == Decimal("83.0")
    # Completions within the period: the judges' course ran from mid-October to December 2020.
    for cohort, expected in (("help-2020-law-students", 37), ("help-2020-judges-prosecutors", 0)):
        completed = Enrolment.objects.filter(
            cohort__code=cohort, completed_on__gte=START, completed_on__lte=END
        ).count()
        assert value(f"training.completed:{cohort}") == completed == expected
    volunteers = EnrolmentOutcome.objects.filter(
        enrolment__cohort__code="help-2020-law-students",
        kind="applied_to_volunteer",
        recorded_on__gte=START,
        recorded_on__lte=END,
    ).count()
    assert value("training.volunteers:help-2020-law-students") == volunteers == 11
    reach = ReachReport.objects.filter(on__gte=START, on__lte=END).aggregate(
        n=Sum("people_reached")
    )
    assert value("awareness.reach") == reach["n"]
    running = (
        Campaign.objects.filter(start__lte=END, end__gte=START).exclude(status="planned").count()
    )
    assert value("awareness.campaigns") == running == 2
    grant_based = Campaign.objects.filter(
        start__lte=END, end__gte=START, grant__isnull=False
    ).exclude(status="planned")
    assert value("awareness.campaigns:grant_based") == grant_based.count() == 2


def test_screening_counts_are_withheld_below_the_restricted_threshold(personas) -> None:
    from opennrm.screening import services as screening
    from opennrm.screening.models import Screening

    ana, dragan = personas["ana"], personas["dragan"]
    for day in range(1, 4):
        screening.screening_start(
            actor=ana, age_group="adult", exploitation=["labour"], screened_on=date(2020, 3, day)
        )
    drafts = Screening.objects.filter(agency__type="labour_inspectorate")
    for draft in drafts:
        screening.screening_submit(actor=ana, screening=draft, expected_version=draft.version)

    def count() -> metrics.MetricValue:
        return evaluate("screening.count:labour_inspectorate", actor=dragan, start=START, end=END)

    assert (
        Screening.objects.filter(status="submitted", agency__type="labour_inspectorate").count()
        == 3
    )
    # Released by the statistics disclosure module (cell-key method): 3 is never shown as 3.
    assert (count().value, count().display) in {(None, "<5"), (Decimal(5), "5")}
    for day in range(4, 6):
        draft = screening.screening_start(
            actor=ana, age_group="adult", exploitation=["labour"], screened_on=date(2020, 3, day)
        )
        screening.screening_submit(actor=ana, screening=draft, expected_version=draft.version)
    # 5 sits on the threshold: the ptable publishes it as itself.
    assert (count().value, count().display) == (Decimal(5), "5")


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_cedomir_may_not_read_any_metric(personas, name: str) -> None:
    with pytest.raises(PermissionDeniedError):
        evaluate(name, actor=personas["cedomir"], start=START, end=END)


def test_an_unknown_metric_is_not_found(personas) -> None:
    with pytest.raises(NotFoundError):
        evaluate("cases.unknown", actor=personas["dragan"], start=START, end=END)


def test_case_metrics_are_the_restricted_statistics_release(personas) -> None:
    from django.utils import timezone

    from opennrm.cases.models import IdentificationDecision, Referral
    from tests.cases.helpers import identified_case, refer

    ana, vesna, dragan = personas["ana"], personas["vesna"], personas["dragan"]
    today = timezone.localdate()
    identified_case(ana, vesna)
    identified_case(ana, vesna, date_of_birth=date(today.year - 15, 1, 1))

    def metric(name: str) -> metrics.MetricValue:
        # To the end of the year: a released figure covers whole months only.
        return evaluate(
            name, actor=dragan, start=date(today.year, 1, 1), end=date(today.year, 12, 31)
        )

    assert Referral.objects.filter(from_agency__type="labour_inspectorate").count() == 2
    assert IdentificationDecision.objects.filter(outcome="identified").count() == 2
    assert metric("cases.referrals:labour_inspectorate").display in ("<5", "5")
    assert metric("cases.identified:children").display in ("<5", "5")
    assert metric("cases.identified:labour_exploitation").display == "<5"  # no form recorded
    for _ in range(3):
        refer(ana)
    assert Referral.objects.filter(from_agency__type="labour_inspectorate").count() == 5
    assert metric("cases.referrals:labour_inspectorate").value == Decimal(5)
    for name in ("cases.referrals:labour_inspectorate", "cases.identified:children"):
        with pytest.raises(PermissionDeniedError):
            evaluate(name, actor=personas["marija"], start=START, end=END)
