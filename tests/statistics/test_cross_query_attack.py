"""The cross-query attacker of issue 14 (finding 1), run against the real API.

The attacker may ask for any sequence of releases the API allows — overlapping periods, every
interval inside a window, every month, quarter and year — and solves for the true counts behind
all of them at once (``attack.Attack``: integer programming with scipy's ``milp``). It must not
pin down any true count from 1 to the profile's threshold less one.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from opennrm.cases import vocab
from opennrm.statistics import selectors
from opennrm.statistics.disclosure import Profile
from opennrm.statistics.tables import Period
from tests.statistics.attack import Attack, figures_of_table
from tests.statistics.data import make_case

URL = "/api/v1/statistics/tables/identified_by_agency_type/"
THRESHOLD = {"restricted": 5, "public": 10}
USER = {"restricted": "dragan", "public": "dragan"}
WINDOW = [date(2024, 7, 1) + timedelta(days=i) for i in range(10)]


@pytest.fixture
def victims(agencies, personas):
    """54 women referred by the police identified in January–June 2024 and one more on 1 July
    (the figures of the issue), with a few victims a day in the first ten days of July and some
    in every other month."""
    rng = random.Random(14)
    centre, vesna = agencies["cptv"], personas["vesna"]

    def victim(on: date, referrer: str, gender: str = vocab.Gender.FEMININE) -> None:
        make_case(
            centre=centre,
            caseworker=vesna,
            gender=gender,
            presumed_on=on,
            identified_on=on,
            referred_by=agencies[referrer],
        )

    for _ in range(54):
        victim(date(2024, rng.randint(1, 6), rng.randint(1, 28)), "police_bg")
    victim(date(2024, 7, 1), "police_ni")
    for day in WINDOW[1:]:
        for _ in range(rng.randint(0, 2)):
            victim(
                day,
                rng.choice(["police_bg", "labour"]),
                rng.choice([vocab.Gender.FEMININE, vocab.Gender.MASCULINE]),
            )
    for month in range(8, 13):
        for _ in range(rng.randint(0, 6)):
            victim(date(2024, month, rng.randint(1, 28)), rng.choice(["police_bg", "labour"]))
    return agencies


def _fixed_periods() -> list[tuple[date, date]]:
    months = [
        (date(2024, m, 1), (date(2024, m + 1, 1) if m < 12 else date(2025, 1, 1)) - timedelta(1))
        for m in range(1, 13)
    ]
    quarters = [(months[q][0], months[q + 2][1]) for q in (0, 3, 6, 9)]
    return [*months, *quarters, (date(2024, 1, 1), date(2024, 12, 31))]


def _ask(client, periods, profile):
    """Every period asked for; the figures of the answers the API gave, and the refusals."""
    figures, refused = [], []
    for start, end in periods:
        response = client.get(
            URL, {"from": start.isoformat(), "to": end.isoformat(), "profile": profile}
        )
        if response.status_code == 200:
            figures += figures_of_table(response.json(), start, end, profile)
        else:
            assert response.status_code == 400, response.content
            refused.append((start, end, response.json()))
    return figures, refused


def _true_counts(nada):
    def counts(first, last):
        table = selectors.statistics_table(
            actor=nada,
            table_id="identified_by_agency_type",
            period=Period(first, last),
            profile=Profile.OFFICIAL,
        ).built.table
        return {
            (r, c): table.cells[i][j]
            for i, r in enumerate(table.row_labels)
            for j, c in enumerate(table.column_labels)
        }

    return counts


def _targets(attack, periods):
    """Every count the attacker would like to know: each cell, row and total of every period
    asked for (answered or not), and each cell of every atom of time."""
    rows = sorted({r for r, _c in attack.cells})
    columns = sorted({c for _r, c in attack.cells})
    groups = [((r, c),) for r, c in attack.cells]
    groups += [tuple((r, c) for c in columns) for r in rows]
    groups += [tuple((r, c) for r in rows) for c in columns]
    spans = list(periods) + attack.atoms
    return [(start, end, cells) for start, end in spans for cells in groups]


@pytest.mark.parametrize("profile", ["restricted", "public"])
def test_the_june_july_differencing_attack_finds_nothing(client_for, personas, victims, profile):
    # The attack of the issue: 2024-01-01..06-30 and 2024-01-01..07-01, police × female
    # 55 − 54 = 1, then every fixed period the API releases on top.
    asked = [(date(2024, 1, 1), date(2024, 6, 30)), (date(2024, 1, 1), date(2024, 7, 1))]
    asked += _fixed_periods()
    figures, refused = _ask(client_for(USER[profile]), asked, profile)
    attack = Attack(figures, extra_cuts=[date(2024, 7, 1), date(2024, 7, 2)])
    truth = attack.truth(_true_counts(personas["nada"]))
    # The true count the issue recovered is one the attacker wants.
    assert attack.pinned_small(_targets(attack, asked), THRESHOLD[profile], truth) == {}
    # The free periods are refused, with the reason.
    assert [(s, e) for s, e, _body in refused] == asked[:2]
    assert "calendar month, quarter or year" in refused[0][2]["error"]["message"]


@pytest.mark.parametrize("profile", ["restricted", "public"])
def test_every_interval_of_a_ten_day_window_pins_nothing(client_for, personas, victims, profile):
    asked = [(a, b) for a in WINDOW for b in WINDOW if a <= b] + _fixed_periods()
    figures, _refused = _ask(client_for(USER[profile]), asked, profile)
    attack = Attack(figures, extra_cuts=[*WINDOW, WINDOW[-1] + timedelta(days=1)])
    truth = attack.truth(_true_counts(personas["nada"]))
    assert attack.pinned_small(_targets(attack, asked), THRESHOLD[profile], truth) == {}


def test_the_attacker_does_pin_counts_from_exact_releases(client_for, personas, victims):
    # Guard against an attacker that never finds anything: from the official releases of the
    # two periods of the issue it pins the police × female count of 1 July to exactly 1.
    asked = [(date(2024, 1, 1), date(2024, 6, 30)), (date(2024, 1, 1), date(2024, 7, 1))]
    figures, refused = _ask(client_for("nada"), asked, "official")
    assert refused == []
    attack = Attack(figures)
    truth = attack.truth(_true_counts(personas["nada"]))
    police_female = (("police", "female"),)
    assert attack.range_of(date(2024, 7, 1), date(2024, 7, 1), police_female) == (1, 1)
    targets = [(date(2024, 7, 1), date(2024, 7, 1), police_female)]
    assert attack.pinned_small(targets, 5, truth) == {targets[0]: 1}
