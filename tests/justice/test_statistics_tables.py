"""Criminal-justice figures flow into the statistics release, with its disclosure control."""

from __future__ import annotations

from datetime import date

from opennrm.demo.context import DemoContext
from opennrm.justice import demo
from opennrm.justice.models import Defendant, Proceeding
from opennrm.statistics.disclosure import Profile
from opennrm.statistics.selectors import statistics_table
from opennrm.statistics.tables import Period

PERIOD = Period(date(2019, 1, 1), date(2022, 12, 31))


def test_official_justice_tables_equal_direct_counts(personas, agencies) -> None:
    demo.seed(DemoContext(agencies=agencies, users=personas, say=lambda _m: None))
    judgments = statistics_table(
        actor=personas["nada"],
        table_id="judgments_by_outcome",
        period=PERIOD,
        profile=Profile.OFFICIAL,
    )
    table = judgments.protected
    rows = dict(zip(judgments.built.table.row_labels, table.row_totals, strict=True))
    assert rows["convicted"].value == Defendant.objects.filter(outcome="convicted").count() == 3
    assert rows["acquitted"].value == 1
    assert table.grand_total.value == Defendant.objects.exclude(outcome="pending").count()

    stages = statistics_table(
        actor=personas["nada"],
        table_id="proceedings_by_stage",
        period=PERIOD,
        profile=Profile.OFFICIAL,
    )
    assert stages.protected.grand_total.value == Proceeding.objects.count() == 5


def test_restricted_justice_tables_hide_small_counts(personas, agencies) -> None:
    demo.seed(DemoContext(agencies=agencies, users=personas, say=lambda _m: None))
    shown = []
    # Restricted figures are released for a calendar month, quarter or year.
    for year in range(2019, 2023):
        judgments = statistics_table(
            actor=personas["dragan"],
            table_id="judgments_by_outcome",
            period=Period(date(year, 1, 1), date(year, 12, 31)),
            profile=Profile.RESTRICTED,
        )
        shown += [cell.display for row in judgments.protected.grid() for cell in row]
    assert "<5" in shown
    assert not {"1", "2", "3", "4"} & set(shown)
