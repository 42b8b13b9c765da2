from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


class JusticeConfig(AppConfig):
    name = "opennrm.justice"
    label = "justice"
    verbose_name = _("Justice")
    nav = [NavItem(_("Proceedings"), "justice:list", "proceeding.view", order=40)]

    def ready(self) -> None:
        from opennrm.justice import rules  # noqa: F401  (registers the policy rules)

    @staticmethod
    def dashboard_panel(request: object) -> dict[str, object] | None:
        from opennrm.justice.views import hearings_panel

        return hearings_panel(request)
