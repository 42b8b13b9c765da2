"""The case state machine (DESIGN §3): one table of transitions with guards. Pure, no Django.

States::

    referred → under_assessment → presumed_victim → identified | not_identified → in_protection
    any open state → closed → reopened → under_assessment | presumed_victim | in_protection

Guards are of two kinds. *State* guards depend on the case (a child needs a guardian before
protection starts; an assessment needs a caseworker), so the UI shows such an action as blocked
with the reason. *Input* guards depend on what the user supplies with the action (reasoning for an
identification decision, a reason to close or reopen), so the action is offered and the form asks.

Messages are English source strings marked with ``gettext_noop`` so that ``makemessages`` collects
them while this module stays importable without Django; callers translate them with ``gettext``
and fill the ``%(name)s`` placeholders.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


def gettext_noop(message: str) -> str:
    return message


REFERRED = "referred"
UNDER_ASSESSMENT = "under_assessment"
PRESUMED_VICTIM = "presumed_victim"
IDENTIFIED = "identified"
NOT_IDENTIFIED = "not_identified"
IN_PROTECTION = "in_protection"
CLOSED = "closed"
REOPENED = "reopened"

STATES: tuple[str, ...] = (
    REFERRED,
    UNDER_ASSESSMENT,
    PRESUMED_VICTIM,
    IDENTIFIED,
    NOT_IDENTIFIED,
    IN_PROTECTION,
    CLOSED,
    REOPENED,
)
OPEN_STATES = frozenset(STATES) - {CLOSED}

BEGIN_ASSESSMENT = "begin_assessment"
PRESUME_VICTIM = "presume_victim"
IDENTIFY = "identify"
NOT_IDENTIFY = "not_identify"
START_PROTECTION = "start_protection"
CLOSE = "close"
REOPEN = "reopen"

ACTION_LABELS: dict[str, str] = {
    BEGIN_ASSESSMENT: gettext_noop("Begin assessment"),
    PRESUME_VICTIM: gettext_noop("Presume victim (start the reflection period)"),
    IDENTIFY: gettext_noop("Identify as a victim"),
    NOT_IDENTIFY: gettext_noop("Decide: not a victim"),
    START_PROTECTION: gettext_noop("Start protection"),
    CLOSE: gettext_noop("Close the case"),
    REOPEN: gettext_noop("Reopen the case"),
}

MSG_NOT_POSSIBLE = gettext_noop(
    "“%(action)s” is not possible while the case is “%(status)s”. Possible next steps: %(next)s."
)
MSG_NO_NEXT = gettext_noop("none")
MSG_NEEDS_CASEWORKER = gettext_noop(
    "An assessment needs a caseworker. Assign a caseworker to the case first."
)
MSG_NEEDS_GUARDIAN = gettext_noop(
    "A child needs a guardian before protection starts. Record the child's guardian first."
)
MSG_NEEDS_IDENTIFICATION = gettext_noop(
    "Protection can resume only for a person identified as a victim. "
    "Decide on identification first."
)
MSG_NEEDS_REASONING = gettext_noop(
    "An identification decision needs its reasoning. "
    "Write why the person is or is not identified as a victim."
)
MSG_NEEDS_DECISION_MAKER = gettext_noop(
    "An identification decision needs the person who took it and its date."
)
MSG_NEEDS_PRESUMED_DATE = gettext_noop(
    "Give the date from which there are reasonable grounds to believe the person is a victim."
)
MSG_NEEDS_CLOSE_REASON = gettext_noop("A case can be closed only with a reason. Choose one.")
MSG_NEEDS_REOPEN_REASON = gettext_noop("State why the case is reopened.")


@dataclass(frozen=True)
class Facts:
    """What the guards look at: the case as it is, plus what the user supplies with the action."""

    is_child: bool = False
    has_caseworker: bool = False
    has_guardian: bool = False
    identified_before: bool = False
    # inputs
    reasoning: str = ""
    decided_by: bool = False
    decided_on: date | None = None
    presumed_on: date | None = None
    reason: str = ""


@dataclass(frozen=True)
class Problem:
    message: str
    field: str = ""
    params: dict[str, str] = dataclasses.field(default_factory=dict)


Guard = Callable[[Facts], Problem | None]


def _caseworker(facts: Facts) -> Problem | None:
    return None if facts.has_caseworker else Problem(MSG_NEEDS_CASEWORKER, "caseworker")


def _guardian(facts: Facts) -> Problem | None:
    if facts.is_child and not facts.has_guardian:
        return Problem(MSG_NEEDS_GUARDIAN, "guardian")
    return None


def _identified_before(facts: Facts) -> Problem | None:
    return None if facts.identified_before else Problem(MSG_NEEDS_IDENTIFICATION)


def _reasoning(facts: Facts) -> Problem | None:
    return None if facts.reasoning.strip() else Problem(MSG_NEEDS_REASONING, "reasoning")


def _decision_maker(facts: Facts) -> Problem | None:
    if facts.decided_by and facts.decided_on is not None:
        return None
    return Problem(MSG_NEEDS_DECISION_MAKER, "decided_on")


def _presumed_on(facts: Facts) -> Problem | None:
    return None if facts.presumed_on else Problem(MSG_NEEDS_PRESUMED_DATE, "presumed_on")


def _close_reason(facts: Facts) -> Problem | None:
    return None if facts.reason.strip() else Problem(MSG_NEEDS_CLOSE_REASON, "reason")


def _reopen_reason(facts: Facts) -> Problem | None:
    return None if facts.reason.strip() else Problem(MSG_NEEDS_REOPEN_REASON, "reason")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    state_guards: tuple[Guard, ...] = ()
    input_guards: tuple[Guard, ...] = ()


TRANSITIONS: tuple[Transition, ...] = (
    Transition(BEGIN_ASSESSMENT, frozenset({REFERRED, REOPENED}), UNDER_ASSESSMENT, (_caseworker,)),
    Transition(
        PRESUME_VICTIM,
        frozenset({UNDER_ASSESSMENT, REOPENED}),
        PRESUMED_VICTIM,
        input_guards=(_presumed_on,),
    ),
    Transition(
        IDENTIFY,
        frozenset({PRESUMED_VICTIM}),
        IDENTIFIED,
        input_guards=(_decision_maker, _reasoning),
    ),
    Transition(
        NOT_IDENTIFY,
        frozenset({UNDER_ASSESSMENT, PRESUMED_VICTIM}),
        NOT_IDENTIFIED,
        input_guards=(_decision_maker, _reasoning),
    ),
    Transition(START_PROTECTION, frozenset({IDENTIFIED}), IN_PROTECTION, (_guardian,)),
    Transition(
        START_PROTECTION + "_again",
        frozenset({REOPENED}),
        IN_PROTECTION,
        (_identified_before, _guardian),
    ),
    Transition(CLOSE, frozenset(OPEN_STATES), CLOSED, input_guards=(_close_reason,)),
    Transition(REOPEN, frozenset({CLOSED}), REOPENED, input_guards=(_reopen_reason,)),
)


def _public_action(transition: Transition) -> str:
    # The reopened → in_protection row is a second row for the same user-facing action.
    return transition.action.removesuffix("_again")


def _transition_for(status: str, action: str) -> Transition | None:
    for transition in TRANSITIONS:
        if _public_action(transition) == action and status in transition.sources:
            return transition
    return None


@dataclass(frozen=True)
class Option:
    """One next step offered on a case: enabled, or blocked with the problems that block it."""

    action: str
    label: str
    target: str
    problems: tuple[Problem, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Decision:
    """The result of asking for a transition: the target state, or the problems refusing it."""

    action: str
    source: str
    target: str | None
    problems: tuple[Problem, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.target is not None and not self.problems


def next_actions(status: str, facts: Facts) -> list[Option]:
    """Every action possible from ``status``, in table order, with state guards evaluated."""
    if status not in STATES:
        raise ValueError(f"Unknown case status {status!r}.")
    options = []
    for transition in TRANSITIONS:
        if status not in transition.sources:
            continue
        problems = tuple(p for g in transition.state_guards if (p := g(facts)) is not None)
        action = _public_action(transition)
        options.append(Option(action, ACTION_LABELS[action], transition.target, problems))
    return options


def decide(status: str, action: str, facts: Facts) -> Decision:
    """Whether ``action`` may move a case from ``status``: every guard, state and input."""
    if status not in STATES:
        raise ValueError(f"Unknown case status {status!r}.")
    if action not in ACTION_LABELS:
        raise ValueError(f"Unknown case action {action!r}.")
    transition = _transition_for(status, action)
    if transition is None:
        possible = [option.action for option in next_actions(status, facts)]
        return Decision(
            action,
            status,
            None,
            (
                Problem(
                    MSG_NOT_POSSIBLE,
                    params={"action": action, "status": status, "next": ",".join(possible)},
                ),
            ),
        )
    guards = transition.state_guards + transition.input_guards
    problems = tuple(p for g in guards if (p := g(facts)) is not None)
    return Decision(action, status, transition.target, problems)
