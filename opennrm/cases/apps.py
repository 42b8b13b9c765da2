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
    nav: list[NavItem] = []
    dashboard_panel = staticmethod(_dashboard_panel)

    def ready(self) -> None:
        from opennrm.cases import rules

        rules.register()
