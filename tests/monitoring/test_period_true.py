"""Reports are period-true: every live figure is read for the report's period, and only it.

Each metric declares whether it is a flow (what happened within the period) or a stock (the state
at the period's end). The sweep puts every metric's source events inside 2020, through the real
services, and reads the metric for 2019 (before), 2020 (during) and 2021 (after): a flow is 0
before and after, a stock is nothing before and keeps its value after.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from opennrm.accounts.models import Agency, User
from opennrm.demo.context import DemoContext
from opennrm.monitoring import services
from opennrm.monitoring.metrics import REGISTRY, MetricValue, Reading, evaluate
from opennrm.monitoring.models import ProgressReport
from opennrm.monitoring.reports import render
from opennrm.monitoring.selectors import report_data

pytestmark = pytest.mark.django_db

BEFORE = (date(2019, 1, 1), date(2019, 12, 31))
DURING = (date(2020, 1, 1), date(2020, 12, 31))
AFTER = (date(2021, 1, 1), date(2021, 12, 31))


def _seed(apps: tuple[str, ...], agencies: dict[str, Agency], personas: dict[str, User]) -> None:
    from importlib import import_module

    ctx = DemoContext(agencies=agencies, users=personas, say=lambda text: None)
    for app in apps:
        import_module(f"opennrm.{app}.demo").seed(ctx)


def _in_2020(callback: Callable[[], object]) -> None:
    with time_machine.travel(datetime(2020, 6, 15, 10, 0, tzinfo=UTC), tick=False):
        callback()


def _screenings(agencies: dict[str, Agency], personas: dict[str, User]) -> None:
    from opennrm.screening import services as screening

    ana = personas["ana"]
    for day in range(1, 7):
        draft = screening.screening_start(
            actor=ana, age_group="adult", exploitation=["labour"], screened_on=date(2020, 3, day)
        )
        screening.screening_submit(actor=ana, screening=draft, expected_version=draft.version)


def _cases(agencies: dict[str, Agency], personas: dict[str, User]) -> None:
    from opennrm.cases import services as cases
    from tests.cases.helpers import identified_case

    ana, vesna = personas["ana"], personas["vesna"]

    def create() -> None:
        for number in range(6):
            case = identified_case(ana, vesna, date_of_birth=date(2006, 1, 1 + number))
            cases.case_update(
                actor=vesna,
                case=case,
                expected_version=case.version,
                forms_of_exploitation=["ForcedLabour"],
            )

    _in_2020(create)


def _monitoring(agencies: dict[str, Agency], personas: dict[str, User]) -> None:
    from tests.monitoring.conftest import build_world

    build_world(personas, agencies)


SCENARIOS: dict[str, Callable[[dict[str, Agency], dict[str, User]], None]] = {
    "awareness.campaigns": lambda a, p: _seed(("awareness",), a, p),
    "awareness.campaigns:grant_based": lambda a, p: _seed(("awareness",), a, p),
    "awareness.reach": lambda a, p: _seed(("awareness",), a, p),
    "cases.identified:children": _cases,
    "cases.identified:labour_exploitation": _cases,
    "cases.referrals:labour_inspectorate": _cases,
    "monitoring.activities_completed": _monitoring,
    "monitoring.recommendations_implemented": _monitoring,
    "screening.count:labour_inspectorate": _screenings,
    "training.completed:help-2020-judges-prosecutors": lambda a, p: _seed(("training",), a, p),
    "training.completed:help-2020-law-students": lambda a, p: _seed(("training",), a, p),
    "training.coverage:labour_inspectors": lambda a, p: _seed(("training",), a, p),
    "training.volunteers:help-2020-law-students": lambda a, p: _seed(("training",), a, p),
}


def _nothing(value: MetricValue) -> bool:
    if REGISTRY[value.metric].counts_victims:
        # Released by the disclosure module (cell-key method): a published 0 is shown "<N", as
        # it stands for any count from 0 to N - 1; the scenarios count 6 in 2020, never "<N".
        return value.value is None and value.withheld_as.startswith("<")
    return value.value in (None, Decimal(0)) and not value.withheld_as


def _something(value: MetricValue) -> bool:
    if REGISTRY[value.metric].counts_victims:
        return value.value is not None and value.value > 0
    return (value.value is not None and value.value > 0) or value.withheld_as.startswith("<")


def test_every_metric_declares_its_reading_and_has_a_sweep_scenario() -> None:
    assert sorted(SCENARIOS) == sorted(REGISTRY)
    assert {metric.reading for metric in REGISTRY.values()} <= set(Reading)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_each_metric_reads_periods_before_during_and_after_its_events(
    name: str, agencies: dict[str, Agency], personas: dict[str, User]
) -> None:
    SCENARIOS[name](agencies, personas)
    dragan = personas["dragan"]

    def read(period: tuple[date, date]) -> MetricValue:
        return evaluate(name, actor=dragan, start=period[0], end=period[1])

    before, during, after = read(BEFORE), read(DURING), read(AFTER)
    assert _nothing(before), (name, before)
    assert _something(during), (name, during)
    if REGISTRY[name].reading is Reading.FLOW:
        assert _nothing(after), (name, after)
    else:
        assert (after.value, after.withheld_as) == (during.value, during.withheld_as), name


def test_a_later_status_change_does_not_rewrite_an_earlier_period(world, personas) -> None:
    dragan = personas["dragan"]
    name = "monitoring.recommendations_implemented"
    assert evaluate(name, actor=dragan, start=DURING[0], end=DURING[1]).value == Decimal(25)
    second = world.recommendations[1]
    with time_machine.travel(datetime(2021, 5, 3, 9, 0, tzinfo=UTC), tick=False):
        services.recommendation_update(
            actor=dragan,
            recommendation=second,
            expected_version=second.version,
            status="partly",
            evidence="Fund set up by law.",
        )
    assert evaluate(name, actor=dragan, start=DURING[0], end=DURING[1]).value == Decimal(25)
    assert evaluate(name, actor=dragan, start=AFTER[0], end=AFTER[1]).value == Decimal(50)


# --- the demo's reports for 2019, 2020 and 2021 ---------------------------------------------------


@pytest.fixture
def demo_reports(
    agencies: dict[str, Agency], personas: dict[str, User], settings, tmp_path
) -> dict[int, ProgressReport]:
    settings.MEDIA_ROOT = tmp_path
    _seed(("screening", "training", "awareness", "monitoring"), agencies, personas)
    dragan = personas["dragan"]
    action = ProgressReport.objects.get().action
    periods = {
        2019: (date(2019, 6, 1), date(2019, 12, 31)),
        2020: (date(2020, 1, 1), date(2020, 12, 31)),
        2021: (date(2021, 1, 1), date(2021, 12, 31)),
    }
    return {
        year: services.report_create(
            actor=dragan,
            action=action,
            period_start=start,
            period_end=end,
            title=f"Progress report {year}",
        )
        for year, (start, end) in periods.items()
    }


def _actuals(report: ProgressReport, actor: User) -> dict[str, str]:
    data = report_data(actor=actor, report=report)
    return {f.indicator.code: f.actual_display for r in data.logframe for f in r.indicators}


def test_the_demo_reports_for_2019_2020_and_2021_show_only_their_period(
    demo_reports: dict[int, ProgressReport], personas: dict[str, User]
) -> None:
    dragan = personas["dragan"]
    by_year = {year: _actuals(report, dragan) for year, report in demo_reports.items()}
    # June–December 2019: before any HELP course ran, before any campaign.
    assert [by_year[2019][code] for code in ("3.1", "3.2", "3.3", "4.1", "4.3")] == [
        "0",
        "0",
        "0",
        "0",
        "0",
    ]
    assert [by_year[2020][code] for code in ("3.1", "3.2", "3.3", "4.1")] == [
        "37",
        "11",
        "31",
        "2",
    ]
    assert by_year[2020]["4.3"] == "113,100"
    # 2021: the 2020 cohorts are not counted again; the only 2021 campaign is planned and has no
    # grant, so no grant-based campaign ran.
    assert [by_year[2021][code] for code in ("3.1", "3.2", "3.3", "4.1", "4.3")] == [
        "0",
        "0",
        "0",
        "0",
        "0",
    ]
    # Coverage is a stock: the share trained by the end of each period.
    assert (by_year[2019]["1.1"], by_year[2020]["1.1"], by_year[2021]["1.1"]) == ("0", "83", "83")
    # The rendered report carries the same figures.
    html = render(report=demo_reports[2019], actor=dragan, format="html", language="en")[0]
    assert '<td class="num">37</td>' not in html.decode()
    assert '<td class="num">11</td>' not in html.decode()


def test_a_withheld_screening_count_is_reported_as_withheld_not_as_missing(
    demo_reports: dict[int, ProgressReport], personas: dict[str, User]
) -> None:
    from opennrm.screening.models import Screening

    dragan = personas["dragan"]
    submitted = Screening.objects.filter(
        status="submitted", agency__type="labour_inspectorate", screened_on__year=2020
    ).count()
    assert 0 < submitted < 5
    data = report_data(actor=dragan, report=demo_reports[2020])
    figure = next(f for r in data.logframe for f in r.indicators if f.indicator.code == "1.2")
    # The cell-key method publishes a count from 1 to 4 as 0 (shown "<5") or as 5, by the keys
    # of the screenings counted; never as itself.
    assert figure.actual_display in ("<5", "5")
    html = render(report=demo_reports[2020], actor=dragan, format="html", language="en")[0]
    if figure.actual_display == "<5":
        assert figure.light == "withheld"
        assert "withheld: too few to show" in html.decode()
    else:
        assert figure.light != "withheld"
