from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


def _panel(request: Any) -> dict[str, Any] | None:
    """What is due for those who report figures (``statistics.dashboard``)."""
    from opennrm.statistics.dashboard import panel

    return panel(getattr(request, "user", None))


class StatisticsConfig(AppConfig):
    name = "opennrm.statistics"
    label = "statistics"
    verbose_name = _("Statistics")
    nav = [
        NavItem(_("Statistics"), "statistics:index", "stats.public", order=60),
        NavItem(_("HTCDS export"), "statistics:htcds", "export.htcds", order=61),
        NavItem(_("CTDC microdata"), "statistics:ctdc", "export.ctdc", order=62),
    ]
    dashboard_panel = staticmethod(_panel)

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from opennrm.statistics.keys import register_sqlite

        # SQLite has no keyed hash: the record-key function is registered on each connection.
        connection_created.connect(register_sqlite, dispatch_uid="statistics.record_key")
