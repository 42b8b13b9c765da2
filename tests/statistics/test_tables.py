"""The standard tables, built from cases and compared with direct counts."""

from __future__ import annotations

from datetime import date

import pytest

from opennrm.cases import vocab
from opennrm.statistics.tables import Period, standard_tables
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
