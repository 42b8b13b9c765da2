from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


def _trainer_panel(request: Any) -> dict[str, Any] | None:
    """The trainer's "what needs me today" (``training.dashboard``)."""
    from opennrm.training.dashboard import panel

    return panel(getattr(request, "user", None))


class TrainingConfig(AppConfig):
    name = "opennrm.training"
    label = "training"
    verbose_name = _("Training")
    nav = [
        NavItem(_("Training"), "training:cohorts", "training.view", order=60),
        NavItem(_("Coverage"), "training:coverage", "training.view", order=61),
    ]
    dashboard_panel = staticmethod(_trainer_panel)
