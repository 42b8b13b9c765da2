"""Background work for cases, run by ``manage.py db_worker`` (django.tasks, database backend).

``send_deadline_reminders`` is the daily digest: for every active user with fired deadlines
(``dashboard.deadline_list``), one e-mail listing them and one audit entry
(``cases.deadline_digest``) naming the user and the counts — never a person's name. The audit entry
is also what makes the digest idempotent: a user who already got one today (the day in the
platform's time zone, not in UTC) is skipped, so cron may enqueue the task more than once a day
(``manage.py deadline_reminders``) without anyone being reminded twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from opennrm.audit.services import record, target_of
from opennrm.cases import deadlines
from opennrm.cases.dashboard import DeadlineRow, deadline_list

DIGEST_VERB = "cases.deadline_digest"
ACTING_ACTIONS = ("referral.decide", "case.edit", "service.update")


@dataclass(frozen=True)
class DigestOutcome:
    users: int  # users who got a digest in this run
    deadlines: int  # deadlines listed in those digests
    skipped: int  # users already reminded today


def _already_reminded(user: User, now: datetime) -> bool:
    target_type, target_id, _label = target_of(user)
    # "Today" is the day in Belgrade (the platform's time zone), not in UTC: a run at 00:30 there
    # is a new day, and two runs on one local day (06:00 and 23:30) send one digest.
    local = now.astimezone(deadlines.LOCAL_TIME_ZONE)
    start = datetime.combine(local.date(), time.min, tzinfo=deadlines.LOCAL_TIME_ZONE)
    return AuditEntry.objects.filter(
        verb=DIGEST_VERB, target_type=target_type, target_id=target_id, at__gte=start
    ).exists()


def _send_digest(user: User, rows: list[DeadlineRow], now: datetime) -> bool:
    """E-mail the digest when the user has an address; True when a message left."""
    if not user.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {"user": user, "rows": rows, "now": now, "overdue": sum(r.overdue for r in rows)}
        subject = render_to_string("cases/ops/digest_subject.txt", context).strip()
        body = render_to_string("cases/ops/digest.txt", context)
    send_mail(subject, body, None, [user.email])
    return True


def remind_user(user: User, *, now: datetime) -> int | None:
    """Send ``user`` today's digest if one is due; returns the number of deadlines, or None when
    the user had nothing fired or was already reminded today."""
    rows = [row for row in deadline_list(actor=user, now=now) if row.fired]
    if not rows:
        return None
    with transaction.atomic():
        # Lock the user row: two workers running the task at once must not both send.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if _already_reminded(user, now):
            return None
        emailed = _send_digest(user, rows, now)
        record(
            actor=None,
            actor_label="deadline reminders",
            verb=DIGEST_VERB,
            target=user,
            purpose="daily deadline digest",
            changes={
                "deadlines": len(rows),
                "overdue": sum(1 for row in rows if row.overdue),
                "kinds": sorted({row.deadline.kind.value for row in rows}),
                "emailed": emailed,
            },
        )
    return len(rows)


def run_reminders(*, now: datetime | None = None) -> DigestOutcome:
    """One pass over every active user who can act on case deadlines."""
    now = now or timezone.now()
    users = skipped = total = 0
    candidates = (
        User.objects.filter(is_active=True, role_assignments__isnull=False)
        .distinct()
        .order_by("pk")
    )
    for user in candidates:
        if not any(action in user.actions for action in ACTING_ACTIONS):
            continue
        count = remind_user(user, now=now)
        if count is None:
            if _already_reminded(user, now):
                skipped += 1
            continue
        users += 1
        total += count
    return DigestOutcome(users=users, deadlines=total, skipped=skipped)


@task()
def send_deadline_reminders() -> dict[str, int]:
    """The daily digest of fired deadlines (see the module docstring); safe to run repeatedly."""
    outcome = run_reminders()
    return {"users": outcome.users, "deadlines": outcome.deadlines, "skipped": outcome.skipped}
