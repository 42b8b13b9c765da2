from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


def _follow_up_panel(request: Any) -> dict[str, Any] | None:
    """Home-page panel: the signed-in user's open follow-up actions, overdue ones first."""
    from django.utils import timezone

    from opennrm.accounts import policy
    from opennrm.monitoring.selectors import follow_up_list

    user = request.user
    if not policy.can(user, "monitoring.view"):
        return None
    follow_ups = list(follow_up_list(actor=user, owner=user)[:10])
    if not follow_ups:
        return None
    today = timezone.localdate()
    return {
        "title": _("My follow-up actions"),
        "template": "monitoring/_panel.html",
        "follow_ups": follow_ups,
        "today": today,
        "overdue": sum(1 for f in follow_ups if f.due_on < today),
    }


class MonitoringConfig(AppConfig):
    name = "opennrm.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")
    nav = [NavItem(_("Monitoring"), "monitoring:dashboard", "monitoring.view", order=60)]
    dashboard_panel = staticmethod(_follow_up_panel)
