"""The deadline rules (pure, no database): when each deadline is due, when it fires, when not."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opennrm.cases.deadlines import (
    CaseFacts,
    DeadlineKind,
    ReferralFacts,
    Responsible,
    ServiceRequestFacts,
    case_deadlines,
    identification_deadline,
    recovery_deadline,
    referral_deadline,
    service_deadline,
    sort_deadlines,
)

SENT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def referral(status: str = "sent") -> ReferralFacts:
    return ReferralFacts(id=7, code="RS-2026-00007", status=status, sent_at=SENT, to_agency_id=3)


def case(**overrides: object) -> CaseFacts:
    values: dict[str, object] = {
        "id": 11,
        "code": "RS-2026-00011",
        "status": "under_assessment",
        "lead_agency_id": 3,
        "caseworker_id": 42,
        "acknowledged_at": SENT,
        "identification_decided": False,
        "recovery_period_end": None,
    }
    values.update(overrides)
    return CaseFacts(**values)  # type: ignore[arg-type]


def test_an_unacknowledged_referral_is_due_48_hours_after_it_was_sent() -> None:
    deadline = referral_deadline(referral())
    assert deadline is not None
    assert deadline.kind is DeadlineKind.REFERRAL_ACK
    assert deadline.due == datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    assert deadline.responsible == Responsible(agency_id=3, user_id=None)
    assert deadline.code == "RS-2026-00007"


def test_the_referral_reminder_fires_at_48_hours_and_not_a_second_earlier() -> None:
    deadline = referral_deadline(referral())
    assert deadline is not None
    assert not deadline.fires(SENT + timedelta(hours=48) - timedelta(seconds=1))
    assert deadline.fires(SENT + timedelta(hours=48))
    assert not deadline.is_overdue(SENT + timedelta(hours=48))
    assert deadline.is_overdue(SENT + timedelta(hours=48, seconds=1))


@pytest.mark.parametrize("status", ["acknowledged", "accepted", "declined"])
def test_an_acknowledged_or_decided_referral_has_no_deadline(status: str) -> None:
    assert referral_deadline(referral(status)) is None


def test_the_identification_decision_is_due_30_days_after_acknowledgement() -> None:
    deadline = identification_deadline(case())
    assert deadline is not None
    # Acknowledged at 10:30 in Belgrade on 2 March: due at 10:30 there on 1 April, summer time
    # having started in between (08:30 UTC, not 09:30; issue 20).
    assert deadline.due == datetime(2026, 4, 1, 8, 30, tzinfo=UTC)
    assert deadline.responsible == Responsible(agency_id=3, user_id=42)
    assert not deadline.fires(datetime(2026, 4, 1, 8, 29, 59, tzinfo=UTC))
    assert deadline.fires(datetime(2026, 4, 1, 8, 30, tzinfo=UTC))


@pytest.mark.parametrize(
    "overrides",
    [
        {"identification_decided": True},
        {"acknowledged_at": None},
        {"status": "identified"},
        {"status": "closed"},
    ],
)
def test_no_identification_deadline_once_decided_or_before_acknowledgement(
    overrides: dict[str, object],
) -> None:
    assert identification_deadline(case(**overrides)) is None


BELGRADE = ZoneInfo("Europe/Belgrade")


def test_the_recovery_period_warning_fires_five_days_before_the_end_date() -> None:
    facts = case(status="presumed_victim", recovery_period_end=date(2026, 4, 10))
    now = datetime(2026, 4, 1, tzinfo=UTC)
    deadline = recovery_deadline(facts, now=now)
    assert deadline is not None
    assert deadline.due == datetime(2026, 4, 10, 23, 59, 59, 999999, tzinfo=BELGRADE)
    assert deadline.alert_at == datetime(2026, 4, 5, 23, 59, 59, 999999, tzinfo=BELGRADE)
    assert not deadline.fires(datetime(2026, 4, 5, 23, 59, 59, tzinfo=BELGRADE))
    assert deadline.fires(datetime(2026, 4, 6, tzinfo=BELGRADE))


def test_a_recovery_period_that_has_ended_is_no_longer_a_deadline() -> None:
    facts = case(status="in_protection", recovery_period_end=date(2026, 4, 10))
    assert recovery_deadline(facts, now=datetime(2026, 4, 10, 23, 0, tzinfo=BELGRADE)) is not None
    assert recovery_deadline(facts, now=datetime(2026, 4, 11, 0, 0, tzinfo=BELGRADE)) is None


def test_a_period_ending_on_5_december_ends_that_day_in_belgrade_not_in_utc() -> None:
    """Issue 20: it showed as "6 December 00:59" (the end of the day in UTC, in Belgrade time)."""
    facts = case(status="presumed_victim", recovery_period_end=date(2026, 12, 5))
    deadline = recovery_deadline(facts, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert deadline is not None
    local = deadline.due.astimezone(BELGRADE)
    assert (local.date(), local.hour, local.minute) == (date(2026, 12, 5), 23, 59)
    # At 00:30 on 6 December in Belgrade (23:30 UTC on the 5th) the period is over.
    assert recovery_deadline(facts, now=datetime(2026, 12, 5, 23, 30, tzinfo=UTC)) is None


def test_a_closed_case_has_no_recovery_deadline() -> None:
    facts = case(status="closed", recovery_period_end=date(2026, 4, 10))
    assert recovery_deadline(facts, now=datetime(2026, 4, 1, tzinfo=UTC)) is None


def test_an_unanswered_service_request_is_due_five_days_after_the_request() -> None:
    facts = ServiceRequestFacts(
        id=5,
        code="RS-2026-00011",
        status="requested",
        requested_at=SENT,
        provider_agency_id=9,
        case_id=11,
    )
    deadline = service_deadline(facts)
    assert deadline is not None
    assert deadline.due == datetime(2026, 3, 7, 9, 30, tzinfo=UTC)
    assert deadline.responsible == Responsible(agency_id=9)
    assert not deadline.fires(deadline.due - timedelta(microseconds=1))
    assert deadline.fires(deadline.due)


def test_an_answered_service_request_has_no_deadline() -> None:
    facts = ServiceRequestFacts(
        id=5,
        code="RS-2026-00011",
        status="accepted",
        requested_at=SENT,
        provider_agency_id=9,
        case_id=11,
    )
    assert service_deadline(facts) is None


def test_a_case_can_have_both_deadlines_and_they_sort_by_due_time() -> None:
    facts = case(status="presumed_victim", recovery_period_end=date(2026, 3, 20))
    found = sort_deadlines(case_deadlines(facts, now=SENT))
    assert [d.kind for d in found] == [
        DeadlineKind.RECOVERY_PERIOD_END,
        DeadlineKind.IDENTIFICATION_DECISION,
    ]


def test_a_deadline_shows_on_the_home_page_two_days_before_its_alert() -> None:
    deadline = referral_deadline(referral())
    assert deadline is not None
    assert deadline.shows_from == SENT
    assert deadline.is_visible(SENT)
    assert not deadline.is_visible(SENT - timedelta(seconds=1))


@given(
    sent=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    after=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
)
def test_no_reminder_ever_fires_before_its_alert_time(sent: datetime, after: timedelta) -> None:
    facts = ReferralFacts(id=1, code="RS-2026-00001", status="sent", sent_at=sent, to_agency_id=1)
    deadline = referral_deadline(facts)
    assert deadline is not None
    now = sent + after
    assert deadline.fires(now) == (after >= timedelta(hours=48))
