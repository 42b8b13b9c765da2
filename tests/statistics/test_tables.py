"""The standard tables, built from cases and compared with direct counts."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opennrm.cases import vocab
from opennrm.cases.models import IdentificationDecision, Referral, ServiceRequest
from opennrm.statistics import cube
from opennrm.statistics.tables import CUBED, Period, build_tables, standard_tables
from tests.statistics.data import make_case

YEAR_2026 = Period(date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def sample(agencies, personas):
    centre, vesna = agencies["cptv"], personas["vesna"]
    make_case(
        centre=centre,
        caseworker=vesna,
        referred_by=agencies["labour"],
        identified_on=date(2026, 4, 1),
        year_of_birth=2010,
        is_child=True,
    )
    make_case(
        centre=centre,
        caseworker=vesna,
        gender=vocab.Gender.MASCULINE,
        citizenship=["VN"],
        scope=vocab.TraffickingScope.TRANSNATIONAL,
        forms=["ForcedLabour", "ForcedBegging"],
        referred_by=agencies["police_ni"],
    )
    make_case(centre=centre, caseworker=vesna, presumed_on=date(2025, 12, 31))
    return agencies


def test_every_table_builds(sample):
    for spec in standard_tables().values():
        built = spec.build(YEAR_2026)
        assert built.table.grand_total >= 0, spec.id


def grid(built):
    return {
        (r, c): built.table.cells[i][j]
        for i, r in enumerate(built.table.row_labels)
        for j, c in enumerate(built.table.column_labels)
        if built.table.cells[i][j]
    }


def test_presumed_victims_are_broken_down_exactly(sample):
    tables = standard_tables()
    assert grid(tables["presumed_by_year"].build(YEAR_2026)) == {
        ("2026", "female"): 1,
        ("2026", "male"): 1,
    }
    assert grid(tables["presumed_by_form"].build(YEAR_2026)) == {
        ("ForcedLabour", "female"): 1,
        ("multiple", "male"): 1,
    }
    assert grid(tables["presumed_by_ctdc_age"].build(YEAR_2026)) == {
        ("9--17", "female"): 1,
        ("30--38", "male"): 1,
    }
    assert grid(tables["presumed_by_country"].build(YEAR_2026)) == {
        ("RS", "female"): 1,
        ("VN", "male"): 1,
    }
    assert grid(tables["presumed_by_nationality"].build(YEAR_2026)) == {
        ("national", "female"): 1,
        ("foreign", "male"): 1,
    }
    assert grid(tables["presumed_by_agency_type"].build(YEAR_2026)) == {
        ("labour_inspectorate", "female"): 1,
        ("police", "male"): 1,
    }
    assert grid(tables["presumed_by_scope"].build(YEAR_2026)) == {
        ("internal", "female"): 1,
        ("transnational", "male"): 1,
    }
    assert grid(tables["identified_by_age_group"].build(YEAR_2026)) == {("child", "female"): 1}


def test_a_release_counts_each_population_from_kept_months_with_the_same_figures(sample, personas):
    if connection.vendor != "postgresql":
        pytest.skip("Months are kept on PostgreSQL; SQLite builds each table alone.")
    vesna = personas["vesna"]
    # Identified twice in one year and once more the next: one victim per table and year.
    twice = make_case(
        centre=sample["cptv"],
        caseworker=vesna,
        gender=vocab.Gender.MASCULINE,
        year_of_birth=None,
        citizenship=["AF"],
        presumed_on=date(2025, 6, 1),
        identified_on=date(2025, 7, 1),
        forms=[],
    )
    for on in (date(2025, 9, 1), date(2026, 2, 1)):
        IdentificationDecision.objects.create(
            case=twice,
            outcome=vocab.IdentificationOutcome.IDENTIFIED,
            decided_by=vesna,
            decided_on=on,
            reasoning="Confirmed again.",
        )
    # A reflection period in the period for a case presumed before it, and one after the
    # period for a case presumed in it: the shared scan must count each in its own table only.
    make_case(
        centre=sample["cptv"],
        caseworker=vesna,
        gender=vocab.Gender.MASCULINE,
        year_of_birth=2010,
        is_child=True,
        presumed_on=date(2024, 12, 20),
        reflection_from=date(2025, 1, 2),
    )
    make_case(
        centre=sample["cptv"],
        caseworker=vesna,
        presumed_on=date(2026, 12, 30),
        reflection_from=date(2027, 1, 1),
    )
    period = Period(date(2025, 1, 1), date(2026, 12, 31))
    specs = list(standard_tables().values())
    alone = {spec.id: grid(spec.build(period)) for spec in specs}
    with CaptureQueriesContext(connection) as queries:
        together_built = build_tables(specs, period)
    together = {built.id: grid(built) for built in together_built}
    assert together == alone
    # The record-key sums of the cell-key method too, cell by cell.
    assert {b.id: b.table.keys for b in together_built} == {
        spec.id: spec.build(period).table.keys for spec in specs
    }
    # The first release counted the period's months once per population kept by month (one
    # GROUPING SETS query each) and, from the rows, the records that occur more than once in a
    # distinct-counted population; the next one reads the kept months: only those scan rows.
    kept, distinct = len(cube.KEPT), sum(1 for name in cube.KEPT if CUBED[name].counted != "pk")
    scans = [q["sql"] for q in queries.captured_queries if "GROUPING SETS" in q["sql"]]
    assert len(scans) == kept + distinct
    with CaptureQueriesContext(connection) as queries:
        again = build_tables(specs, period)
    assert {built.id: grid(built) for built in again} == alone
    scans = [q["sql"] for q in queries.captured_queries if "GROUPING SETS" in q["sql"]]
    assert len(scans) == distinct
    counting = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    # The tables of no kept population, the kept months of each, the repeated records.
    other = sum(1 for spec in specs if not spec.population)
    assert len(counting) == other + kept + distinct
    assert alone["reflection_period"] == {("child", "male"): 1}
    # The victim without a year of birth (nor a child flag) is "not recorded", not an adult.
    assert alone["presumed_by_age_group"] == {
        ("adult", "female"): 2,
        ("adult", "male"): 1,
        ("unknown", "male"): 1,
        ("child", "female"): 1,
    }
    assert alone["identified_by_year"] == {
        ("2025", "male"): 1,
        ("2026", "male"): 1,
        ("2026", "female"): 1,
    }
    assert alone["identified_by_form"] == {("unknown", "male"): 1, ("ForcedLabour", "female"): 1}
    assert alone["identified_by_ctdc_age"] == {("unknown", "male"): 1, ("9--17", "female"): 1}
    # Each year: identified twice in 2025 (counted once), and in 2026 a victim presumed in
    # 2025 is identified, one presumed in 2026 is not, and a reflection period starts.
    for year in (2025, 2026):
        one_year = Period(date(year, 1, 1), date(year, 12, 31))
        alone = {spec.id: grid(spec.build(one_year)) for spec in specs}
        tables = build_tables(specs, one_year)
        together = {built.id: grid(built) for built in tables}
        assert together == alone, year
        assert {b.id: b.table.keys for b in tables} == {
            spec.id: spec.build(one_year).table.keys for spec in specs
        }, year
        # The same rows too: no code of another population's rows (Afghanistan, in 2026 only
        # among the identified) as an empty row.
        labels = {spec.id: spec.build(one_year).row_names for spec in specs}
        assert {built.id: built.row_names for built in tables} == labels
        if year == 2025:
            assert alone["identified_by_year"] == {("2025", "male"): 1}
            assert alone["identified_by_scope"] == {("internal", "male"): 1}
            assert alone["reflection_period"] == {("child", "male"): 1}
        else:
            assert alone["identified_by_ctdc_age"] == {
                ("unknown", "male"): 1,
                ("9--17", "female"): 1,
            }
            assert alone["presumed_by_ctdc_age"] == {
                ("9--17", "female"): 1,
                ("30--38", "male"): 1,
                ("30--38", "female"): 1,
            }
            assert alone["reflection_period"] == {}


def test_services_and_referrals_count_by_the_local_day_at_both_ends_of_the_period(
    agencies, personas
):
    centre, vesna = agencies["cptv"], personas["vesna"]
    local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    instants = {
        datetime(2025, 12, 31, 23, 59, tzinfo=local): False,
        datetime(2026, 1, 1, 0, 0, tzinfo=local): True,
        datetime(2026, 12, 31, 23, 59, tzinfo=local): True,
        datetime(2027, 1, 1, 0, 0, tzinfo=local): False,
    }
    for at in instants:
        case = make_case(
            centre=centre,
            caseworker=vesna,
            referred_by=agencies["labour"],
            services=[(vocab.ServiceType.SHELTER, vocab.ServiceStatus.COMPLETED, date(2026, 6, 1))],
        )
        Referral.objects.filter(case=case).update(sent_at=at)
        ServiceRequest.objects.filter(case=case).update(requested_at=at)
    tables = standard_tables()
    assert grid(tables["assistance"].build(YEAR_2026)) == {("shelter", "female"): 2}
    assert grid(tables["referrals_by_agency_type"].build(YEAR_2026)) == {
        ("labour_inspectorate", "accepted"): 2
    }


def test_a_release_hands_the_caller_s_transaction_back_its_planner_settings(sample):
    if connection.vendor != "postgresql":
        pytest.skip("The planner settings are PostgreSQL's.")
    names = ("jit", "random_page_cost", "work_mem", "enable_hashjoin", "hash_mem_multiplier")

    def current() -> dict[str, str]:
        with connection.cursor() as cursor:
            found = {}
            for name in names:
                cursor.execute(f"SHOW {name}")
                found[name] = cursor.fetchone()[0]
            return found

    before = current()  # the test runs inside a transaction, as a report task or request may
    with CaptureQueriesContext(connection) as queries:
        build_tables(standard_tables().values(), Period(date(2024, 1, 1), date(2024, 12, 31)))
    assert any("set_config('work_mem', '64MB'" in q["sql"] for q in queries.captured_queries)
    assert current() == before
