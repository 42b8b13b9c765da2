"""The four NRM deadlines as pure rules: facts about one record in, at most one deadline out.

No Django import: the rules are tested without a database, and the same functions serve the home
page panel, the API and the daily reminder digest, so the three can never disagree.

The rules (DESIGN §3, issue 4 §6), with the constants below:

* **Referral acknowledgement** — a referral that is ``sent`` must be acknowledged by the receiving
  agency within ``REFERRAL_ACK_WINDOW`` (48 hours) of being sent. Responsible: the receiving
  agency (its case managers). The reminder fires when the 48 hours have passed.
* **Identification decision** — once a referral is acknowledged and the case is under assessment
  or the person is a presumed victim, the formal identification decision is due
  ``IDENTIFICATION_DECISION_WINDOW`` (30 days) after the acknowledgement. Thirty days mirrors the
  minimum recovery and reflection period of Art. 13 of the Convention: the decision should not
  outlast the period it protects. Responsible: the case's caseworker, or the lead agency when no
  caseworker is assigned. The reminder fires when the decision is overdue.
* **End of the recovery and reflection period** — the period (at least 30 days from the
  presumed-victim date, Art. 13) ends on its end date; a warning fires
  ``RECOVERY_WARNING_WINDOW`` (5 days) before the end, so that the next step (identification,
  residence permit, protection) is ready in time. Responsible: caseworker, else the lead agency.
* **Service request response** — a service request must be accepted or declined by the provider
  agency within ``SERVICE_RESPONSE_WINDOW`` (5 days) of being requested. Responsible: the provider
  agency. The reminder fires when the 5 days have passed.

Each deadline is *open* from the moment the obligation arises until it is met; it shows on the
responsible person's home page from ``shows_from`` (its alert time minus ``DASHBOARD_HORIZON``), is
overdue after ``due``, and a reminder fires from ``alert_at`` on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

REFERRAL_ACK_WINDOW = timedelta(hours=48)
IDENTIFICATION_DECISION_WINDOW = timedelta(days=30)
RECOVERY_WARNING_WINDOW = timedelta(days=5)
SERVICE_RESPONSE_WINDOW = timedelta(days=5)
# How far ahead of its alert time a deadline already appears on the home page.
DASHBOARD_HORIZON = timedelta(days=2)

# Workflow states (cases.workflow) in which an identification decision is still pending.
PENDING_DECISION_STATES = frozenset({"referred", "under_assessment", "presumed_victim"})
# States in which the recovery and reflection period still matters.
RECOVERY_STATES = frozenset({"presumed_victim", "identified", "in_protection", "reopened"})


class DeadlineKind(StrEnum):
    REFERRAL_ACK = "referral_ack"
    IDENTIFICATION_DECISION = "identification_decision"
    RECOVERY_PERIOD_END = "recovery_period_end"
    SERVICE_RESPONSE = "service_response"


@dataclass(frozen=True)
class Responsible:
    """Who must act: a named user when one is assigned, otherwise every eligible member of the
    agency (``user_id`` is None)."""

    agency_id: int | None
    user_id: int | None = None


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    due: datetime
    alert_at: datetime
    code: str  # the pseudonymous code of the case or referral, never a name
    record_type: str  # "referral", "case" or "service_request"
    record_id: int
    case_id: int | None
    responsible: Responsible

    def is_overdue(self, now: datetime) -> bool:
        return now > self.due

    def fires(self, now: datetime) -> bool:
        """Whether a reminder is due at ``now`` (never before the alert time)."""
        return now >= self.alert_at

    @property
    def shows_from(self) -> datetime:
        return self.alert_at - DASHBOARD_HORIZON

    def is_visible(self, now: datetime) -> bool:
        return now >= self.shows_from


@dataclass(frozen=True)
class ReferralFacts:
    id: int
    code: str
    status: str  # sent / acknowledged / accepted / declined
    sent_at: datetime
    to_agency_id: int | None
    case_id: int | None = None


@dataclass(frozen=True)
class CaseFacts:
    id: int
    code: str
    status: str
    lead_agency_id: int | None
    caseworker_id: int | None
    acknowledged_at: datetime | None  # when the referral that opened the case was acknowledged
    identification_decided: bool
    recovery_period_end: date | None


@dataclass(frozen=True)
class ServiceRequestFacts:
    id: int
    code: str  # the case's code: a service request has none of its own
    status: str  # requested / accepted / in_progress / completed / declined
    requested_at: datetime
    provider_agency_id: int | None
    case_id: int


# The time zone whose calendar days periods are counted in; ``CasesConfig.ready`` sets it from
# ``settings.TIME_ZONE`` (this module imports no Django).
LOCAL_TIME_ZONE: tzinfo = ZoneInfo("Europe/Belgrade")


def end_of_day(day: date) -> datetime:
    """A period "ends on" a date: it runs to the last instant of that day where the people
    work (``LOCAL_TIME_ZONE``), so a period ending on 5 December never reads as 6 December."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=LOCAL_TIME_ZONE) - timedelta(
        microseconds=1
    )


def days_after(moment: datetime, window: timedelta) -> datetime:
    """``moment`` plus a window of whole days, counted on the local calendar: 30 days after
    10:00 is 10:00 thirty days later where the people work, even across a change of summer time
    (UTC arithmetic would move it by an hour)."""
    return moment.astimezone(LOCAL_TIME_ZONE) + window


def referral_deadline(facts: ReferralFacts) -> Deadline | None:
    if facts.status != "sent":
        return None
    due = facts.sent_at + REFERRAL_ACK_WINDOW
    return Deadline(
        kind=DeadlineKind.REFERRAL_ACK,
        due=due,
        alert_at=due,
        code=facts.code,
        record_type="referral",
        record_id=facts.id,
        case_id=facts.case_id,
        responsible=Responsible(agency_id=facts.to_agency_id),
    )


def _case_responsible(facts: CaseFacts) -> Responsible:
    return Responsible(agency_id=facts.lead_agency_id, user_id=facts.caseworker_id)


def identification_deadline(facts: CaseFacts) -> Deadline | None:
    if (
        facts.identification_decided
        or facts.acknowledged_at is None
        or facts.status not in PENDING_DECISION_STATES
    ):
        return None
    due = days_after(facts.acknowledged_at, IDENTIFICATION_DECISION_WINDOW)
    return Deadline(
        kind=DeadlineKind.IDENTIFICATION_DECISION,
        due=due,
        alert_at=due,
        code=facts.code,
        record_type="case",
        record_id=facts.id,
        case_id=facts.id,
        responsible=_case_responsible(facts),
    )


def recovery_deadline(facts: CaseFacts, *, now: datetime) -> Deadline | None:
    """The period's end, while it has not passed; a period that ended is no longer a deadline."""
    if facts.recovery_period_end is None or facts.status not in RECOVERY_STATES:
        return None
    due = end_of_day(facts.recovery_period_end)
    if now > due:
        return None
    return Deadline(
        kind=DeadlineKind.RECOVERY_PERIOD_END,
        due=due,
        alert_at=due - RECOVERY_WARNING_WINDOW,
        code=facts.code,
        record_type="case",
        record_id=facts.id,
        case_id=facts.id,
        responsible=_case_responsible(facts),
    )


def service_deadline(facts: ServiceRequestFacts) -> Deadline | None:
    if facts.status != "requested":
        return None
    due = days_after(facts.requested_at, SERVICE_RESPONSE_WINDOW)
    return Deadline(
        kind=DeadlineKind.SERVICE_RESPONSE,
        due=due,
        alert_at=due,
        code=facts.code,
        record_type="service_request",
        record_id=facts.id,
        case_id=facts.case_id,
        responsible=Responsible(agency_id=facts.provider_agency_id),
    )


def case_deadlines(facts: CaseFacts, *, now: datetime) -> list[Deadline]:
    found = [identification_deadline(facts), recovery_deadline(facts, now=now)]
    return [deadline for deadline in found if deadline is not None]


def sort_deadlines(deadlines: Iterable[Deadline]) -> list[Deadline]:
    """Soonest due first; ties broken by kind and code so the order is stable between pages."""
    return sorted(deadlines, key=lambda d: (d.due, d.kind.value, d.code, d.record_id))
