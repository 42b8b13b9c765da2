"""Traffic lights for indicators and budget burn: pure arithmetic, no Django.

An indicator is judged by the share of the way from baseline to target it has covered, against the
share of the action's period that has elapsed: a result that is 40% of the way there after 80% of
the time is behind, whatever its absolute value.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

# Progress at or above this share of the expected progress is on track; below LATE, off track.
ON_TRACK = Decimal("0.9")
LATE = Decimal("0.6")


class Light(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "none"  # no value yet
    WITHHELD = "withheld"  # a value exists but disclosure control withholds it (e.g. "<5")


def progress(baseline: Decimal, target: Decimal, actual: Decimal) -> Decimal:
    """Share of the way from baseline to target (may exceed 1, or fall below 0)."""
    span = target - baseline
    if span == 0:
        return Decimal(1) if actual >= target else Decimal(0)
    return (actual - baseline) / span


def indicator_light(
    *, baseline: Decimal, target: Decimal, actual: Decimal | None, elapsed: Decimal
) -> Light:
    """Green when on track for the time elapsed (0–1), amber when late, red when far behind."""
    if actual is None:
        return Light.NONE
    done = progress(baseline, target, actual)
    if done >= 1:
        return Light.GREEN
    expected = max(elapsed, Decimal("0.0001"))
    ratio = done / expected
    if ratio >= ON_TRACK:
        return Light.GREEN
    if ratio >= LATE:
        return Light.AMBER
    return Light.RED


def burn_light(*, spent_share: Decimal, elapsed: Decimal) -> Light:
    """Budget burn against time: spending far behind (or ahead of) the calendar needs attention."""
    if elapsed <= 0:
        return Light.GREEN if spent_share == 0 else Light.AMBER
    ratio = spent_share / elapsed
    if Decimal("0.75") <= ratio <= Decimal("1.15"):
        return Light.GREEN
    if Decimal("0.5") <= ratio <= Decimal("1.3"):
        return Light.AMBER
    return Light.RED
