"""The case state machine, exhaustively over its table, without a database."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from opennrm.cases import workflow as wf

ALL_INPUTS = wf.Facts(
    is_child=False,
    has_caseworker=True,
    has_guardian=True,
    identified_before=True,
    reasoning="Indicators confirmed in interview.",
    decided_by=True,
    decided_on=date(2026, 1, 5),
    presumed_on=date(2026, 1, 1),
    reason="recovered",
)

EXPECTED = {
    (wf.REFERRED, wf.BEGIN_ASSESSMENT): wf.UNDER_ASSESSMENT,
    (wf.REOPENED, wf.BEGIN_ASSESSMENT): wf.UNDER_ASSESSMENT,
    (wf.UNDER_ASSESSMENT, wf.PRESUME_VICTIM): wf.PRESUMED_VICTIM,
    (wf.REOPENED, wf.PRESUME_VICTIM): wf.PRESUMED_VICTIM,
    (wf.PRESUMED_VICTIM, wf.IDENTIFY): wf.IDENTIFIED,
    (wf.UNDER_ASSESSMENT, wf.NOT_IDENTIFY): wf.NOT_IDENTIFIED,
    (wf.PRESUMED_VICTIM, wf.NOT_IDENTIFY): wf.NOT_IDENTIFIED,
    (wf.IDENTIFIED, wf.START_PROTECTION): wf.IN_PROTECTION,
    (wf.REOPENED, wf.START_PROTECTION): wf.IN_PROTECTION,
    (wf.CLOSED, wf.REOPEN): wf.REOPENED,
    **{(state, wf.CLOSE): wf.CLOSED for state in wf.STATES if state != wf.CLOSED},
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(wf.STATES, wf.ACTION_LABELS)))
def test_every_state_and_action_pair_follows_the_table(status: str, action: str) -> None:
    decision = wf.decide(status, action, ALL_INPUTS)
    expected = EXPECTED.get((status, action))
    assert decision.target == expected
    assert decision.allowed is (expected is not None)
    if expected is None:
        assert decision.problems[0].message == wf.MSG_NOT_POSSIBLE
        assert decision.problems[0].params["action"] == action


def test_next_actions_list_exactly_the_table_rows_from_each_state() -> None:
    for status in wf.STATES:
        offered = {o.action for o in wf.next_actions(status, ALL_INPUTS)}
        assert offered == {a for (s, a) in EXPECTED if s == status}, status


def test_a_child_without_guardian_is_blocked_before_protection_with_the_reason() -> None:
    facts = wf.Facts(is_child=True, has_caseworker=True, has_guardian=False)
    option = next(
        o for o in wf.next_actions(wf.IDENTIFIED, facts) if o.action == wf.START_PROTECTION
    )
    assert not option.allowed
    assert option.problems[0].message == (
        "A child needs a guardian before protection starts. Record the child's guardian first."
    )
    assert wf.decide(wf.IDENTIFIED, wf.START_PROTECTION, facts).problems[0].field == "guardian"


def test_an_adult_needs_no_guardian_for_protection() -> None:
    facts = wf.Facts(is_child=False, has_guardian=False)
    assert wf.decide(wf.IDENTIFIED, wf.START_PROTECTION, facts).allowed


def test_identification_needs_reasoning_and_a_dated_decision_maker() -> None:
    decision = wf.decide(wf.PRESUMED_VICTIM, wf.IDENTIFY, wf.Facts())
    assert [p.field for p in decision.problems] == ["decided_on", "reasoning"]
    blank = wf.Facts(decided_by=True, decided_on=date(2026, 1, 1), reasoning="   ")
    assert [p.field for p in wf.decide(wf.PRESUMED_VICTIM, wf.IDENTIFY, blank).problems] == [
        "reasoning"
    ]


def test_closing_needs_a_reason_but_is_still_offered_as_a_next_step() -> None:
    assert wf.decide(wf.IN_PROTECTION, wf.CLOSE, wf.Facts()).problems[0].field == "reason"
    assert any(o.action == wf.CLOSE and o.allowed for o in wf.next_actions(wf.REFERRED, wf.Facts()))


def test_assessment_needs_a_caseworker() -> None:
    decision = wf.decide(wf.REFERRED, wf.BEGIN_ASSESSMENT, wf.Facts(has_caseworker=False))
    assert decision.problems[0].message == (
        "An assessment needs a caseworker. Assign a caseworker to the case first."
    )


def test_protection_resumes_after_reopening_only_for_an_identified_person() -> None:
    facts = wf.Facts(identified_before=False)
    decision = wf.decide(wf.REOPENED, wf.START_PROTECTION, facts)
    assert decision.problems[0].message == wf.MSG_NEEDS_IDENTIFICATION


def test_a_refused_transition_names_the_possible_next_steps() -> None:
    decision = wf.decide(wf.REFERRED, wf.IDENTIFY, ALL_INPUTS)
    assert decision.problems[0].params == {
        "action": wf.IDENTIFY,
        "status": wf.REFERRED,
        "next": "begin_assessment,close",
    }


def test_closed_cases_only_reopen() -> None:
    assert [o.action for o in wf.next_actions(wf.CLOSED, ALL_INPUTS)] == [wf.REOPEN]


def test_unknown_states_and_actions_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="Unknown case status"):
        wf.next_actions("lost", wf.Facts())
    with pytest.raises(ValueError, match="Unknown case action"):
        wf.decide(wf.REFERRED, "teleport", wf.Facts())
