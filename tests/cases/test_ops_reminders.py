"""Deadlines from real records: the home-page panel, the deadlines page and the daily digest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from opennrm.audit.models import AuditEntry
from opennrm.cases import services
from opennrm.cases.dashboard import deadline_list
from opennrm.cases.deadlines import DeadlineKind
from opennrm.cases.tasks import run_reminders
from tests.conftest import assert_access

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def people(personas):
    for username in ("vesna", "milan", "ana", "cedomir"):
        personas[username].email = f"{username}@example.org"
        personas[username].save(update_fields=["email"])
    return personas


def refer(personas):
    return services.referral_create(
        actor=personas["ana"],
        given_names="Ivana",
        family_name="Ilić",
        year_of_birth=1995,
        consent_given=True,
        consent_scope=["referral", "services"],
    )


def open_case(personas):
    referral = refer(personas)
    return services.referral_accept(
        actor=personas["vesna"], referral=referral, expected_version=referral.version
    )


def kinds(rows):
    return [(row.deadline.kind, row.deadline.code, row.overdue) for row in rows]


def test_an_unacknowledged_referral_reminds_the_centre_at_48_hours_and_not_before(people) -> None:
    with time_machine.travel(T0, tick=False):
        referral = refer(people)
    with time_machine.travel(T0 + timedelta(hours=47, minutes=59), tick=False):
        outcome = run_reminders()
    assert (outcome.users, outcome.deadlines) == (0, 0)
    assert mail.outbox == []
    with time_machine.travel(T0 + timedelta(hours=48), tick=False):
        outcome = run_reminders()
    assert (outcome.users, outcome.deadlines) == (1, 1)
    [message] = mail.outbox
    assert message.to == ["vesna@example.org"]
    assert message.subject == "OpenNRM: 1 deadline needs you today"
    assert f"R-{referral.pk}: Referral to acknowledge — due 2026-03-04 09:00 UTC" in message.body
    assert "Ivana" not in message.body
    assert "Ilić" not in message.body
    entry = AuditEntry.objects.get(verb="cases.deadline_digest")
    assert entry.target_label == "user vesna"
    assert entry.changes == {
        "deadlines": 1,
        "overdue": 0,
        "kinds": ["referral_ack"],
        "emailed": True,
    }


def test_each_user_gets_at_most_one_digest_a_day(people) -> None:
    with time_machine.travel(T0, tick=False):
        refer(people)
    with time_machine.travel(T0 + timedelta(hours=50), tick=False):
        run_reminders()
        again = run_reminders()
    assert (again.users, again.skipped) == (0, 1)
    assert len(mail.outbox) == 1
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        call_command("deadline_reminders")  # enqueued; the test backend runs it at once
    assert len(mail.outbox) == 2
    assert AuditEntry.objects.filter(verb="cases.deadline_digest").count() == 2


def test_nobody_outside_the_centre_is_reminded_of_its_referrals(people) -> None:
    with time_machine.travel(T0, tick=False):
        refer(people)
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        run_reminders()
        assert deadline_list(actor=people["cedomir"]) == []
        assert deadline_list(actor=people["ana"]) == []
        assert deadline_list(actor=people["milan"]) == []
        assert deadline_list(actor=people["ivan"]) == []
    assert [m.to for m in mail.outbox] == [["vesna@example.org"]]


def test_the_identification_decision_is_due_30_days_after_acknowledgement(people) -> None:
    vesna = people["vesna"]
    with time_machine.travel(T0, tick=False):
        referral = refer(people)
        referral = services.referral_acknowledge(
            actor=vesna, referral=referral, expected_version=referral.version
        )
        case = services.referral_accept(
            actor=vesna, referral=referral, expected_version=referral.version
        )
    with time_machine.travel(T0 + timedelta(days=27), tick=False):
        assert deadline_list(actor=vesna) == []  # not yet on the page: more than 2 days ahead
    with time_machine.travel(T0 + timedelta(days=29), tick=False):
        assert kinds(deadline_list(actor=vesna)) == [
            (DeadlineKind.IDENTIFICATION_DECISION, case.code, False)
        ]
        assert run_reminders().users == 0  # visible, but the reminder has not fired
    with time_machine.travel(T0 + timedelta(days=30, seconds=1), tick=False):
        assert kinds(deadline_list(actor=vesna)) == [
            (DeadlineKind.IDENTIFICATION_DECISION, case.code, True)
        ]
        assert run_reminders().users == 1


def test_the_recovery_period_warning_fires_five_days_before_its_end(people) -> None:
    vesna = people["vesna"]
    with time_machine.travel(T0, tick=False):
        case = open_case(people)
        case = services.case_begin_assessment(actor=vesna, case=case, expected_version=case.version)
        case = services.case_presume_victim(
            actor=vesna, case=case, expected_version=case.version, presumed_on=date(2026, 3, 2)
        )
        services.case_decide_identification(
            actor=vesna,
            case=case,
            expected_version=case.version,
            outcome="identified",
            decided_on=date(2026, 3, 2),
            reasoning="Indicators confirmed by the team.",
        )
        case.refresh_from_db()
    assert case.reflection_period_end == date(2026, 4, 1)
    # Days are Belgrade's: the warning fires at midnight there, not at midnight UTC.
    belgrade = ZoneInfo("Europe/Belgrade")
    with time_machine.travel(datetime(2026, 3, 27, 23, 59, tzinfo=belgrade), tick=False):
        assert run_reminders().users == 0
    with time_machine.travel(datetime(2026, 3, 28, 0, 0, tzinfo=belgrade), tick=False):
        assert kinds(deadline_list(actor=vesna)) == [
            (DeadlineKind.RECOVERY_PERIOD_END, case.code, False)
        ]
        assert run_reminders().deadlines == 1
    assert "Recovery and reflection period ends" in mail.outbox[0].body


def test_an_unanswered_service_request_reminds_the_provider_after_five_days(people) -> None:
    with time_machine.travel(T0, tick=False):
        case = open_case(people)
        services.service_request_create(
            actor=people["vesna"],
            case=case,
            service_type="shelter",
            provider_agency=people["milan"].agency,
        )
    with time_machine.travel(T0 + timedelta(days=5) - timedelta(seconds=1), tick=False):
        assert kinds(deadline_list(actor=people["milan"])) == [
            (DeadlineKind.SERVICE_RESPONSE, case.code, False)
        ]
        run_reminders()
        assert mail.outbox == []
    with time_machine.travel(T0 + timedelta(days=5), tick=False):
        run_reminders()
    assert [m.to for m in mail.outbox] == [["milan@example.org"]]
    assert deadline_list(actor=people["cedomir"]) == []


def test_the_home_page_panel_lists_my_deadlines_with_the_overdue_marked(people, client_for):
    with time_machine.travel(T0, tick=False):
        referral = refer(people)
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        page = client_for("vesna").get("/").content.decode()
        assert "What needs me today" in page
        assert "1 open deadline, 1 overdue." in page
        assert f"R-{referral.pk}" in page
        assert "list-group-item-danger" in page
        assert "Ivana" not in page
        assert "What needs me today" not in client_for("cedomir").get("/").content.decode()
        assert "What needs me today" not in client_for("ivan").get("/").content.decode()


def test_the_deadlines_page_is_for_those_who_act_on_deadlines(people, client_for) -> None:
    assert_access(client_for, "/cases/deadlines/", allowed=["vesna", "milan"])


def test_the_deadlines_page_lists_an_overdue_referral(people, client_for) -> None:
    with time_machine.travel(T0, tick=False):
        referral = refer(people)
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        page = client_for("vesna").get("/cases/deadlines/").content.decode()
    assert "1 open deadline, 1 overdue." in page
    assert f'href="/cases/referrals/{referral.pk}/"' in page
