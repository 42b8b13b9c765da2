"""Hearing reminders: the caseworkers of linked victims hear about a hearing three days before,
so the victim can be prepared and accompanied (issue 8, item 5)."""

from __future__ import annotations

from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from opennrm.audit.services import record
from opennrm.justice.models import Hearing

REMIND_DAYS_BEFORE = 3


@task()
def send_hearing_reminders() -> int:
    """E-mail each linked case's caseworker once per hearing due within three days; returns how many."""
    now = timezone.now()
    due = Hearing.objects.filter(
        at__gte=now, at__lte=now + timedelta(days=REMIND_DAYS_BEFORE), reminded_at__isnull=True
    )
    sent = 0
    for hearing in due.select_related("proceeding").prefetch_related(
        "proceeding__victims__case__caseworker"
    ):
        with transaction.atomic():
            locked = (
                Hearing.objects.select_for_update()
                .filter(pk=hearing.pk, reminded_at__isnull=True)
                .first()
            )
            if locked is None:
                continue
            for link in hearing.proceeding.victims.all():
                worker = link.case.caseworker
                if worker is None or not worker.email or not worker.is_active:
                    continue
                send_mail(
                    _("Hearing on %(date)s for case %(code)s")
                    % {
                        "date": date_format(timezone.localtime(hearing.at), "DATETIME_FORMAT"),
                        "code": link.case.code,
                    },
                    _(
                        "Proceeding %(proceeding)s has a %(kind)s on %(date)s at %(place)s. Prepare and accompany the victim if needed."
                    )
                    % {
                        "proceeding": hearing.proceeding.code,
                        "kind": hearing.get_kind_display(),
                        "date": date_format(timezone.localtime(hearing.at), "DATETIME_FORMAT"),
                        "place": hearing.place,
                    },
                    None,
                    [worker.email],
                )
                record(
                    actor=None,
                    actor_label="system",
                    verb="hearing.reminder",
                    target=hearing.proceeding,
                    recipient=worker.username,
                )
                sent += 1
            Hearing.objects.filter(pk=hearing.pk).update(reminded_at=now)
    return sent
