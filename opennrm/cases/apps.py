from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


def _dashboard_panel(request: HttpRequest) -> dict[str, Any] | None:
    # The "what needs me today" panel is built by opennrm.cases.dashboard when it is installed.
    if find_spec("opennrm.cases.dashboard") is None:
        return None
    panel: dict[str, Any] | None = import_module("opennrm.cases.dashboard").panel(request)
    return panel


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
        from opennrm.cases import rules

        rules.register()
