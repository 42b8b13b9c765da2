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


def _figures_periods() -> list[tuple[Any, Any]]:
    """The fixed periods whose published figures the dashboard's live indicators add up
    (``statistics.selectors.released_figure`` over the shown action's start to today), for
    ``refresh_figures`` to count ahead of the page."""
    from django.utils import timezone

    from opennrm.monitoring.models import Action
    from opennrm.statistics.periods import fixed_cover

    today = timezone.localdate()
    action = (
        Action.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
        or Action.objects.order_by("-starts_on").first()
    )
    if action is None:
        return []
    return [
        (span.start, span.end) for span in fixed_cover(action.starts_on, min(today, action.ends_on))
    ]


class MonitoringConfig(AppConfig):
    name = "opennrm.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")
    nav = [NavItem(_("Monitoring"), "monitoring:dashboard", "monitoring.view", order=60)]
    dashboard_panel = staticmethod(_follow_up_panel)
    figures_periods = staticmethod(_figures_periods)
