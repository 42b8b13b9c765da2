from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem

# How far ahead the trainer's home page looks for trainings that start.
UPCOMING_DAYS = 30


def _trainer_panel(request: Any) -> dict[str, Any] | None:
    """The trainer's "what needs me today": cohorts running now and events starting within
    UPCOMING_DAYS (to prepare attendance lists), each linked to its page."""
    from django.utils import timezone

    from opennrm.accounts import policy
    from opennrm.training.selectors import cohort_list, event_list

    user = request.user
    if not policy.can(user, "training.edit"):
        return None
    today = timezone.localdate()
    running = list(cohort_list(actor=user).filter(start__lte=today, end__gte=today)[:10])
    upcoming = list(
        event_list(actor=user)
        .filter(start__gte=today, start__lte=today + timedelta(days=UPCOMING_DAYS))
        .order_by("start")[:10]
    )
    return {
        "title": _("Trainings now and in the next 30 days"),
        "template": "training/_panel.html",
        "running": running,
        "upcoming": upcoming,
    }


class TrainingConfig(AppConfig):
    name = "opennrm.training"
    label = "training"
    verbose_name = _("Training")
    nav = [
        NavItem(_("Training"), "training:cohorts", "training.view", order=60),
        NavItem(_("Coverage"), "training:coverage", "training.view", order=61),
    ]
    dashboard_panel = staticmethod(_trainer_panel)
