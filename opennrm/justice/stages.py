"""The stages of a criminal proceeding and the moves between them (pure, no Django import).

pre-investigation → investigation → indictment → first-instance trial → appeal → final judgment.
An appeal may send the case back to first instance (retrial) or end in the final judgment; a first
instance judgment that nobody appeals becomes final. At any stage before the final judgment the
proceeding may instead be dismissed or discontinued, with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PRE_INVESTIGATION = "pre_investigation"
INVESTIGATION = "investigation"
INDICTMENT = "indictment"
FIRST_INSTANCE = "first_instance"
APPEAL = "appeal"
FINAL = "final"

ORDER = (PRE_INVESTIGATION, INVESTIGATION, INDICTMENT, FIRST_INSTANCE, APPEAL, FINAL)

NEXT: dict[str, tuple[str, ...]] = {
    PRE_INVESTIGATION: (INVESTIGATION,),
    INVESTIGATION: (INDICTMENT,),
    INDICTMENT: (FIRST_INSTANCE,),
    FIRST_INSTANCE: (APPEAL, FINAL),
    APPEAL: (FIRST_INSTANCE, FINAL),
    FINAL: (),
}

# Closing without a judgment is possible until the final judgment.
CLOSABLE = frozenset(ORDER) - {FINAL}


@dataclass(frozen=True)
class Refusal:
    code: str
    current: str
    requested: str


def check_move(current: str, requested: str) -> Refusal | None:
    """None when ``current`` → ``requested`` is allowed; otherwise why not."""
    if current not in NEXT or requested not in NEXT:
        return Refusal("unknown_stage", current, requested)
    if requested not in NEXT[current]:
        return Refusal("not_next", current, requested)
    return None


def days_in_stages(changes: list[tuple[str, date]], *, until: date) -> dict[str, int]:
    """Days spent in each stage, from ``(stage entered, on date)`` in order; the last runs to ``until``.

    A stage entered twice (a retrial after appeal) adds up.
    """
    totals: dict[str, int] = {}
    for index, (stage, entered) in enumerate(changes):
        left = changes[index + 1][1] if index + 1 < len(changes) else until
        totals[stage] = totals.get(stage, 0) + max((left - entered).days, 0)
    return totals
