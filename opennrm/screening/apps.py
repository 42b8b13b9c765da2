from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


def _panel(request: Any) -> dict[str, Any] | None:
    """Home panel: the signed-in screener's unfinished screenings."""
    from opennrm.accounts import policy
    from opennrm.screening.selectors import screening_drafts

    if not policy.can(request.user, "screening.create"):
        return None
    drafts = list(screening_drafts(actor=request.user)[:5])
    return {
        "title": _("Screenings to finish"),
        "template": "screening/_panel.html",
        "drafts": drafts,
    }


class ScreeningConfig(AppConfig):
    name = "opennrm.screening"
    label = "screening"
    verbose_name = _("Screening")
    nav = [
        NavItem(_("Screenings"), "screening:list", "screening.view", order=10),
        NavItem(_("Screening statistics"), "screening:stats", "screening.stats", order=70),
    ]
    dashboard_panel = staticmethod(_panel)

    def ready(self) -> None:
        from opennrm.screening import rules

        rules.register()
