"""Published figures (statistics.published): restricted and public tables are counted once, kept
for OPENNRM_FIGURES_MAX_AGE seconds, counted again after; exact counts are never kept; official
releases never; ``refresh_figures`` counts ahead of the pages."""

from __future__ import annotations

import pickle
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opennrm.cases import vocab
from opennrm.statistics import published
from opennrm.statistics.disclosure import Profile
from opennrm.statistics.management.commands.refresh_figures import fixed_periods
from opennrm.statistics.selectors import statistics_release
from opennrm.statistics.tables import Period
from tests.statistics.data import make_case

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture(autouse=True)
def kept(settings):
    settings.OPENNRM_FIGURES_MAX_AGE = 600
    caches[published.CACHE].clear()
    yield
    caches[published.CACHE].clear()


def _cases(agencies, personas, n: int, month: int = 3) -> None:
    for i in range(n):
        make_case(
            centre=agencies["cptv"],
            caseworker=personas["vesna"],
            gender=vocab.Gender.FEMININE if i % 2 else vocab.Gender.MASCULINE,
            presumed_on=date(2026, month, 1),
            forms=["ForcedLabour"],
        )


def _world_counting_children(agencies, personas):
    """The monitoring test world with a live indicator of released victim counts."""
    from opennrm.monitoring import services as monitoring
    from tests.monitoring.conftest import build_world

    world = build_world(personas, agencies)
    monitoring.indicator_create(
        actor=personas["dragan"],
        result=world.action.results.first(),
        code="9.9",
        definition="Child victims identified",
        unit="count",
        metric="cases.identified:children",
        target=Decimal(10),
    )
    return world


def _counting_queries(actor) -> int:
    with CaptureQueriesContext(connection) as queries:
        statistics_release(actor=actor, period=YEAR, profile=Profile.RESTRICTED)
    return sum(1 for q in queries if "cases_case" in q["sql"])


@pytest.mark.django_db
def test_a_release_is_counted_once_then_read_until_it_is_older_than_the_setting(agencies, personas):
    dragan = personas["dragan"]
    _cases(agencies, personas, 30)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        first = statistics_release(actor=dragan, period=YEAR, profile=Profile.RESTRICTED)
        assert _counting_queries(dragan) == 0
        again = statistics_release(actor=dragan, period=YEAR, profile=Profile.RESTRICTED)
        assert [t.protected for t in again] == [t.protected for t in first]
        assert [t.built.row_names for t in again] == [t.built.row_names for t in first]
        assert again[0].counted_at == first[0].counted_at
        presumed = next(t for t in first if t.built.id.startswith("presumed"))
        before = presumed.protected.grand_total.value

        _cases(agencies, personas, 30)
        clock.shift(timedelta(seconds=599))
        kept = statistics_release(actor=dragan, period=YEAR, profile=Profile.RESTRICTED)
        same = next(t for t in kept if t.built.id == presumed.built.id)
        assert same.protected.grand_total.value == before  # as counted, and says when
        clock.shift(timedelta(seconds=2))
        assert _counting_queries(dragan) > 0
        recounted = statistics_release(actor=dragan, period=YEAR, profile=Profile.RESTRICTED)
        now = next(t for t in recounted if t.built.id == presumed.built.id)
        assert now.protected.grand_total.value > before + 20
        assert now.counted_at > first[0].counted_at


@pytest.mark.django_db
def test_kept_figures_hold_no_exact_count(agencies, personas):
    _cases(agencies, personas, 7)
    statistics_release(actor=personas["dragan"], period=YEAR, profile=Profile.RESTRICTED)
    cache = caches[published.CACHE]
    entries = [pickle.loads(value) for value in cache._cache.values()]  # LocMemCache in tests
    assert entries
    for entry in entries:
        assert isinstance(entry, published.Kept)
        assert set(vars(entry)) == {"counted_at", "protected"}
    kept = statistics_release(actor=personas["dragan"], period=YEAR, profile=Profile.RESTRICTED)
    assert all(not any(any(row) for row in t.built.table.cells) for t in kept)


@pytest.mark.django_db
def test_official_releases_are_never_kept(agencies, personas):
    _cases(agencies, personas, 7)
    statistics_release(actor=personas["nada"], period=YEAR, profile=Profile.OFFICIAL)
    assert not caches[published.CACHE]._cache
    with CaptureQueriesContext(connection) as queries:
        statistics_release(actor=personas["nada"], period=YEAR, profile=Profile.OFFICIAL)
    assert any("cases_case" in q["sql"] for q in queries)


@pytest.mark.django_db
def test_refresh_figures_counts_the_pages_periods_ahead(agencies, personas):
    _cases(agencies, personas, 12)
    with time_machine.travel(date(2026, 12, 6), tick=False):
        call_command("refresh_figures", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert _counting_queries(personas["dragan"]) == 0
        with CaptureQueriesContext(connection) as queries:
            statistics_release(
                actor=personas["dragan"],
                period=Period(date(2025, 4, 1), date(2025, 6, 30)),
                profile=Profile.PUBLIC,
            )
        assert not any("cases_case" in q["sql"] for q in queries)


def test_the_fixed_periods_of_the_refresh():
    periods = fixed_periods(date(2025, 1, 1), date(2026, 2, 10))
    assert Period(date(2025, 1, 1), date(2025, 12, 31)) in periods
    assert Period(date(2026, 1, 1), date(2026, 12, 31)) in periods
    assert Period(date(2026, 1, 1), date(2026, 3, 31)) in periods
    assert Period(date(2026, 2, 1), date(2026, 2, 28)) in periods
    assert Period(date(2026, 3, 1), date(2026, 3, 31)) not in periods  # not begun
    assert len(periods) == 17 + 1 + 1 + 2


@pytest.mark.django_db
def test_refresh_figures_also_counts_the_monitoring_dashboards_periods(
    agencies, personas, client_for
):
    _world_counting_children(agencies, personas)
    _cases(agencies, personas, 5)
    client = client_for("dragan")
    with time_machine.travel(date(2026, 12, 6), tick=False):
        call_command("refresh_figures", stdout=open("/dev/null", "w"))  # noqa: SIM115
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/monitoring/").status_code == 200
    assert not any("cases_case" in q["sql"] for q in queries)


@pytest.mark.django_db
def test_the_monitoring_dashboard_reads_live_values_as_kept_and_reports_compute_them(
    agencies, personas, client_for, monkeypatch
):
    from opennrm.monitoring import metrics, selectors
    from tests.monitoring.conftest import build_world

    world = build_world(personas, agencies)
    calls: list[str] = []
    real = metrics.evaluate

    def spy(name, **kwargs):
        calls.append(name)
        return real(name, **kwargs)

    monkeypatch.setattr(metrics, "evaluate", spy)
    client = client_for("dragan")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        first = client.get("/monitoring/")
        assert first.status_code == 200
        assert calls
        assert "Live values as computed at" in first.content.decode()
        calls.clear()
        assert client.get("/monitoring/").status_code == 200
        assert calls == []
        selectors.logframe(
            actor=personas["dragan"],
            action=world.action,
            start=world.action.starts_on,
            end=world.action.ends_on,
        )
        assert calls  # a report's figures are computed afresh
        calls.clear()
        clock.shift(timedelta(seconds=601))
        assert client.get("/monitoring/").status_code == 200
        assert calls


@pytest.mark.django_db
def test_a_report_counts_its_released_figures_now_while_pages_read_them_as_kept(agencies, personas):
    dragan = personas["dragan"]
    _cases(agencies, personas, 12)

    table_id = next(
        t.built.id
        for t in statistics_release(actor=dragan, period=YEAR, profile=Profile.RESTRICTED)
        if t.built.id.startswith("presumed")
    )

    def figure() -> int | None:
        table = next(
            t
            for t in statistics_release(actor=dragan, period=YEAR, profile=Profile.RESTRICTED)
            if t.built.id == table_id
        )
        return table.protected.grand_total.value

    kept = figure()
    _cases(agencies, personas, 30)
    assert figure() == kept  # the page: as counted
    with published.afresh():
        now = figure()  # a report: counted now
    assert now is not None
    assert kept is not None
    assert now > kept + 20
    assert figure() == now  # and kept for the pages after


@pytest.mark.django_db
def test_a_progress_report_reads_its_released_figures_afresh(agencies, personas, monkeypatch):
    from opennrm.monitoring import selectors

    world = _world_counting_children(agencies, personas)
    seen: list[bool] = []
    real = published.release

    def spy(*args, **kwargs):
        seen.append(published._AFRESH.get())
        return real(*args, **kwargs)

    monkeypatch.setattr(published, "release", spy)
    selectors.report_data(actor=personas["dragan"], report=world.report)
    assert seen
    assert all(seen)
