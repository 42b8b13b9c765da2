from __future__ import annotations

from datetime import date

import pytest

from opennrm.justice import stages


@pytest.mark.parametrize(
    ("current", "requested", "allowed"),
    [
        ("pre_investigation", "investigation", True),
        ("investigation", "indictment", True),
        ("investigation", "first_instance", False),
        ("indictment", "first_instance", True),
        ("first_instance", "final", True),
        ("first_instance", "appeal", True),
        ("appeal", "first_instance", True),
        ("appeal", "final", True),
        ("final", "appeal", False),
        ("indictment", "investigation", False),
        ("investigation", "sentencing", False),
    ],
)
def test_the_moves_between_stages(current: str, requested: str, allowed: bool) -> None:
    assert (stages.check_move(current, requested) is None) is allowed


def test_every_stage_before_the_final_judgment_can_be_closed() -> None:
    assert set(stages.ORDER) - {"final"} == stages.CLOSABLE


def test_days_in_stages_add_up_a_retrial() -> None:
    changes = [
        ("investigation", date(2020, 1, 1)),
        ("indictment", date(2020, 1, 31)),
        ("first_instance", date(2020, 3, 1)),
        ("appeal", date(2020, 4, 1)),
        ("first_instance", date(2020, 5, 1)),
        ("final", date(2020, 5, 11)),
    ]
    assert stages.days_in_stages(changes, until=date(2020, 5, 11)) == {
        "investigation": 30,
        "indictment": 30,
        "first_instance": 31 + 10,
        "appeal": 30,
        "final": 0,
    }
