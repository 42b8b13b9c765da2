"""The trainer's "what needs me today" (home page), each item linked to its own page:

- cohorts running now;
- cohorts that ended in the last ``IMPORT_DAYS`` days with no completion recorded: their
  completion report is to be imported;
- trainings starting in the next ``UPCOMING_DAYS`` days, marked when no attendance is recorded;
- trainings that ended in the last ``ATTENDANCE_DAYS`` days with no attendance recorded;
- the coverage of the target populations below their full headcount (the gaps).

Counts and the first few rows of date-bounded filters; no trainee's name appears.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.training.models import Attendance, Enrolment
from opennrm.training.selectors import (
    CoverageFigure,
    cohort_list,
    event_list,
    population_coverage,
    population_list,
)

UPCOMING_DAYS = 30
IMPORT_DAYS = 60
ATTENDANCE_DAYS = 30
PANEL_ROWS = 5
POPULATIONS = 5


def _coverage_gaps(user: User) -> list[tuple[Any, CoverageFigure]]:
    gaps = []
    for population in population_list(actor=user)[:POPULATIONS]:
        figure = population_coverage(actor=user, population_code=population.code)
        if figure.headcount and figure.trained < figure.headcount:
            gaps.append((population, figure))
    return gaps


def panel(user: Any, today: date | None = None) -> dict[str, Any] | None:
    if not isinstance(user, User) or not policy.can(user, "training.edit"):
        return None
    today = today or timezone.localdate()
    cohorts = cohort_list(actor=user)
    running = list(cohorts.filter(start__lte=today, end__gte=today)[:PANEL_ROWS])
    completed = Enrolment.objects.filter(cohort=OuterRef("pk"), completed_on__isnull=False)
    to_import = list(
        cohorts.filter(end__lt=today, end__gte=today - timedelta(days=IMPORT_DAYS))
        .exclude(Exists(completed))
        .order_by("end", "code")[:PANEL_ROWS]
    )
    attended = Attendance.objects.filter(event=OuterRef("pk"))
    events = event_list(actor=user).annotate(has_attendance=Exists(attended))
    upcoming = list(
        events.filter(start__gte=today, start__lte=today + timedelta(days=UPCOMING_DAYS)).order_by(
            "start", "code"
        )[:PANEL_ROWS]
    )
    attendance_due = list(
        events.filter(
            start__lt=today,
            end__gte=today - timedelta(days=ATTENDANCE_DAYS),
            has_attendance=False,
        ).order_by("end", "code")[:PANEL_ROWS]
    )
    return {
        "title": _("What needs me today"),
        "template": "training/_panel.html",
        "running": running,
        "to_import": to_import,
        "upcoming": upcoming,
        "attendance_due": attendance_due,
        "gaps": _coverage_gaps(user),
        "today": today,
    }
