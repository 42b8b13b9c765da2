"""Days are Belgrade's, everywhere a deadline or "today" is computed (issue 20: a recovery period
ending on 5 December showed as "6 December 00:59", its end computed in UTC). Around the changes
of summer time too: 29 March and 25 October 2026."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.template import Context, Template
from django.utils import translation

from opennrm.cases.deadlines import (
    CaseFacts,
    ServiceRequestFacts,
    end_of_day,
    identification_deadline,
    recovery_deadline,
    service_deadline,
)
from opennrm.cases.tasks import run_reminders
from tests.cases.test_ops_reminders import people, refer  # noqa: F401 (fixture)

BELGRADE = ZoneInfo("Europe/Belgrade")


def _case(**overrides: object) -> CaseFacts:
    values: dict[str, object] = {
        "id": 1,
        "code": "RS-2026-00001",
        "status": "presumed_victim",
        "lead_agency_id": 1,
        "caseworker_id": None,
        "acknowledged_at": None,
        "identification_decided": False,
        "recovery_period_end": None,
    }
    values.update(overrides)
    return CaseFacts(**values)  # type: ignore[arg-type]


def _shown(moment: datetime) -> str:
    with translation.override("en"):
        return Template('{{ m|date:"DATETIME_FORMAT" }}').render(Context({"m": moment}))


def test_a_period_ending_on_the_day_summer_time_starts_ends_at_its_last_minute() -> None:
    # 29 March 2026 has 23 hours in Belgrade; its end is 21:59:59 UTC, not 22:59:59.
    due = end_of_day(date(2026, 3, 29))
    assert due.astimezone(UTC) == datetime(2026, 3, 29, 21, 59, 59, 999999, tzinfo=UTC)
    assert _shown(due) == "29 March 2026, 23:59"


def test_a_period_ending_on_the_day_summer_time_ends_ends_at_its_last_minute() -> None:
    # 25 October 2026 has 25 hours in Belgrade; its end is 22:59:59 UTC.
    due = end_of_day(date(2026, 10, 25))
    assert due.astimezone(UTC) == datetime(2026, 10, 25, 22, 59, 59, 999999, tzinfo=UTC)
    assert _shown(due) == "25 October 2026, 23:59"


def test_the_recovery_warning_fires_at_midnight_in_belgrade_across_the_change() -> None:
    # Ends on 1 April: the warning fires five days before the end of that day, at the end of
    # 27 March in Belgrade, although summer time starts in between.
    facts = _case(recovery_period_end=date(2026, 4, 1))
    deadline = recovery_deadline(facts, now=datetime(2026, 3, 20, tzinfo=UTC))
    assert deadline is not None
    alert = deadline.alert_at.astimezone(BELGRADE)
    assert (alert.date(), alert.hour, alert.minute) == (date(2026, 3, 27), 23, 59)
    assert not deadline.fires(datetime(2026, 3, 27, 23, 59, tzinfo=BELGRADE))
    assert deadline.fires(datetime(2026, 3, 28, 0, 0, tzinfo=BELGRADE))


def test_thirty_days_after_an_acknowledgement_keep_its_hour_across_summer_time() -> None:
    """30 days after 10:00 on 10 March is 10:00 on 9 April in Belgrade, not 11:00 (UTC + 30 days
    crosses the change to summer time)."""
    acknowledged = datetime(2026, 3, 10, 10, 0, tzinfo=BELGRADE).astimezone(UTC)
    deadline = identification_deadline(
        _case(status="under_assessment", acknowledged_at=acknowledged)
    )
    assert deadline is not None
    due = deadline.due.astimezone(BELGRADE)
    assert (due.date(), due.hour, due.minute) == (date(2026, 4, 9), 10, 0)


def test_five_days_after_a_service_request_keep_its_hour_when_summer_time_ends() -> None:
    requested = datetime(2026, 10, 23, 9, 0, tzinfo=BELGRADE).astimezone(UTC)
    deadline = service_deadline(
        ServiceRequestFacts(
            id=1,
            code="RS-2026-00001",
            status="requested",
            requested_at=requested,
            provider_agency_id=2,
            case_id=1,
        )
    )
    assert deadline is not None
    due = deadline.due.astimezone(BELGRADE)
    assert (due.date(), due.hour) == (date(2026, 10, 28), 9)


def test_the_daily_digest_counts_days_in_belgrade(people) -> None:  # noqa: F811
    """A digest at 23:30 in Belgrade and another at 00:30 the next day there are two days' digests
    (both fall on one UTC day, so "once a UTC day" skipped the second); two runs on one
    Belgrade day send one."""
    sent = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(sent, tick=False):
        refer(people)
    evening = datetime(2026, 12, 4, 23, 30, tzinfo=BELGRADE)  # 22:30 UTC
    with time_machine.travel(evening, tick=False):
        assert run_reminders().users == 1
    with time_machine.travel(evening + timedelta(hours=1), tick=False):  # 00:30 on 5 December
        assert run_reminders().users == 1
    with time_machine.travel(evening + timedelta(hours=8), tick=False):  # 07:30 on 5 December
        again = run_reminders()
    assert (again.users, again.skipped) == (0, 1)
    assert len(mail.outbox) == 2


def test_a_decision_due_shows_from_midnight_in_belgrade_not_in_utc(personas) -> None:
    """A case opened (without a referral) on 5 November owes its decision by 5 December, shown
    from 3 December: at 00:30 that day in Belgrade (23:30 UTC on the 2nd) it is on the panel; the
    query compared the opening day with a UTC date and left it off for that hour."""
    from opennrm.cases import services
    from opennrm.cases.dashboard import deadline_list
    from opennrm.cases.deadlines import DeadlineKind
    from tests.cases.helpers import accepted_case

    vesna = personas["vesna"]
    first = accepted_case(personas["ana"], vesna)
    case = services.case_open(
        actor=vesna,
        person=first.person,
        lead_agency=first.lead_agency,
        caseworker=vesna,
        opened_on=date(2026, 11, 5),
    )
    with time_machine.travel(datetime(2026, 12, 2, 23, 30, tzinfo=UTC), tick=False):
        rows = deadline_list(actor=vesna)
    assert (DeadlineKind.IDENTIFICATION_DECISION, case.code) in [
        (row.deadline.kind, row.deadline.code) for row in rows
    ]
