"""Small counts nowhere (issue 13 finding 8): the logframe read day by day goes through the
same disclosure module as the statistics, across dates too."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from opennrm.monitoring import services
from tests.statistics.data import make_case

BASE = "/api/v1/monitoring/logframe"


@pytest.fixture
def children(agencies, personas):
    dragan = personas["dragan"]
    action = services.action_create(
        actor=dragan,
        code="children",
        title="Child victims",
        programme="Horizontal Facility",
        starts_on=date(2024, 1, 1),
        ends_on=date(2024, 12, 31),
        budget=Decimal(1000),
        funders=[("European Union", Decimal(100))],
    )
    result = services.result_create(actor=dragan, action=action, number=1, title="Children")
    services.indicator_create(
        actor=dragan,
        result=result,
        code="1.1",
        definition="Child victims identified",
        unit="count",
        target=Decimal(30),
        metric="cases.identified:children",
    )
    # Eight children identified by 1 March, then one more every few days of March and April.
    days = [date(2024, 2, d) for d in range(1, 9)]
    days += [date(2024, 3, 1) + timedelta(days=4 * i) for i in range(15)]
    for on in days:
        make_case(
            centre=agencies["cptv"],
            caseworker=personas["vesna"],
            year_of_birth=2012,
            is_child=True,
            presumed_on=on,
            identified_on=on,
        )
    return days


def test_daily_logframe_reads_never_show_child_victims_moving_by_one(client_for, children):
    client = client_for("dragan")
    shown = {}
    day = date(2024, 2, 20)
    while day <= date(2024, 5, 10):
        body = client.get(BASE, {"on": day.isoformat()}).json()
        (figure,) = [i for r in body["results"] for i in r["indicators"] if i["code"] == "1.1"]
        shown[day] = figure["actual_display"]
        day += timedelta(days=1)
    identified_on = set(children)
    for day, display in shown.items():
        before = shown.get(day - timedelta(days=1))
        if before is None:
            continue
        if (day + timedelta(days=1)).day != 1:
            # Until a month's last day the figure never moves, though children are identified...
            assert display == before, day
    assert identified_on & {d for d in shown if (d + timedelta(days=1)).day != 1}
    # ...it moves only on the day a month is complete, by the released figures of that month.
    values = sorted(set(shown.values()), key=lambda v: int(v.strip("<")))
    assert len(values) >= 2
