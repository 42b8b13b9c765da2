from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


def _panel(request: Any) -> dict[str, Any] | None:
    """The auditor's "what needs me today" (``audit.dashboard``)."""
    from opennrm.audit.dashboard import panel

    return panel(getattr(request, "user", None))


class AuditConfig(AppConfig):
    name = "opennrm.audit"
    label = "audit"
    verbose_name = _("Audit trail")
    nav = [NavItem(_("Audit trail"), "audit:list", "audit.view", order=90)]
    dashboard_panel = staticmethod(_panel)

    def ready(self) -> None:
        from opennrm.audit import signals  # noqa: F401  (connect login/lockout receivers)
