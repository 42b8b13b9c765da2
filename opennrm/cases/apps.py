from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


def _dashboard_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The "what needs me today" panel (``cases.dashboard``)."""
    from opennrm.cases.dashboard import panel

    return panel(request)


class CasesConfig(AppConfig):
    name = "opennrm.cases"
    label = "cases"
    verbose_name = _("Cases")
    nav = [
        NavItem(_("Refer a person"), "cases:referral_create", "referral.create", order=20),
        NavItem(_("Referrals"), "cases:referral_list", "referral.view", order=21),
        NavItem(_("Cases"), "cases:case_list", "case.view", order=22),
        NavItem(_("Service requests"), "cases:service_inbox", "service.update", order=23),
        NavItem(_("Case status"), "cases:status_lookup", "proceeding.view", order=24),
        NavItem(_("Deadlines"), "cases:deadlines", "case.edit", order=25),
        NavItem(_("Import"), "cases:import", "case.import", order=26),
    ]
    dashboard_panel = staticmethod(_dashboard_panel)

    def ready(self) -> None:
        from zoneinfo import ZoneInfo

        from django.conf import settings

        from opennrm.audit.labels import register
        from opennrm.cases import deadlines, rules

        deadlines.LOCAL_TIME_ZONE = ZoneInfo(settings.TIME_ZONE)
        rules.register()
        register(
            {
                "case.search_name": _("Case search by name"),
                "case.view_status": _("Case status looked up"),
                "case.view_status_refused": _("Case status lookup refused"),
            }
        )
