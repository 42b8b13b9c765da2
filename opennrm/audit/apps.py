from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


class AuditConfig(AppConfig):
    name = "opennrm.audit"
    label = "audit"
    verbose_name = _("Audit trail")
    nav = [NavItem(_("Audit trail"), "audit:list", "audit.view", order=90)]

    def ready(self) -> None:
        from opennrm.audit import signals  # noqa: F401  (connect login/lockout receivers)
