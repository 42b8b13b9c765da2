"""The hearing reminder gives the date as the language writes it, in Belgrade time (issue 20:
dates in a fixed "%d.%m.%Y" whatever the language)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail

from opennrm.justice import services
from opennrm.justice.tasks import send_hearing_reminders

BELGRADE = ZoneInfo("Europe/Belgrade")


def test_the_reminder_names_the_hearing_in_belgrade_time(proceeding, personas, victim_case) -> None:
    vesna = personas["vesna"]
    vesna.email = "vesna@example.org"
    vesna.save(update_fields=["email"])
    jelena = personas["jelena"]
    services.victim_link(actor=jelena, proceeding=proceeding, case_code=victim_case.code)
    with time_machine.travel(datetime(2026, 12, 3, 9, 0, tzinfo=BELGRADE), tick=False):
        services.hearing_schedule(
            actor=jelena,
            proceeding=proceeding,
            at=datetime(2026, 12, 4, 16, 0, tzinfo=BELGRADE),
            place="Court",
        )
        send_hearing_reminders.enqueue()  # the test backend runs it at once
    assert (
        mail.outbox[0].subject == f"Hearing on 4 December 2026, 16:00 for case {victim_case.code}"
    )
