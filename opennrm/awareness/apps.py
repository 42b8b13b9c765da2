from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


def _reports_panel(request: Any) -> dict[str, Any] | None:
    """Home-page panel for those who manage grants: reports due in 30 days or overdue."""
    from django.utils import timezone

    from opennrm.accounts import policy
    from opennrm.awareness.selectors import grant_reports_due

    user = request.user
    if not policy.can(user, "awareness.edit"):
        return None
    today = timezone.localdate()
    reports = list(grant_reports_due(actor=user, until=today + timedelta(days=30))[:10])
    if not reports:
        return None
    return {
        "title": _("Grant reports due"),
        "template": "awareness/_panel.html",
        "reports": reports,
        "today": today,
    }


class AwarenessConfig(AppConfig):
    name = "opennrm.awareness"
    label = "awareness"
    verbose_name = _("Awareness")
    nav = [NavItem(_("Awareness"), "awareness:index", "awareness.view", order=65)]
    dashboard_panel = staticmethod(_reports_panel)
