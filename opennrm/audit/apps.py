from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem

# How far back the auditor's home page looks for flagged entries.
FLAGGED_DAYS = 7


def _flagged_panel(request: Any) -> dict[str, Any] | None:
    """The auditor's "what needs me today": entries flagged for review (break-the-glass access,
    a personal-data role granted) in the last week, each linked to its record's trail."""
    from django.utils import timezone

    from opennrm.accounts import policy
    from opennrm.audit.selectors import EntryFilters, entry_list

    user = request.user
    if not policy.can(user, "audit.view"):
        return None
    since = timezone.localdate() - timedelta(days=FLAGGED_DAYS)
    entries = entry_list(actor=user, filters=EntryFilters(date_from=since, flagged_only=True))
    return {
        "title": _("Flagged for review this week"),
        "template": "audit/_panel.html",
        "entries": list(entries[:10]),
        "total": entries.count(),
        "since": since,
    }


class AuditConfig(AppConfig):
    name = "opennrm.audit"
    label = "audit"
    verbose_name = _("Audit trail")
    nav = [NavItem(_("Audit trail"), "audit:list", "audit.view", order=90)]
    dashboard_panel = staticmethod(_flagged_panel)

    def ready(self) -> None:
        from opennrm.audit import signals  # noqa: F401  (connect login/lockout receivers)
