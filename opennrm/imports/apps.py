from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


def _panel(request: Any) -> dict[str, Any] | None:
    """The user's own imports waiting for them (``imports.dashboard``)."""
    from opennrm.imports.dashboard import panel

    return panel(getattr(request, "user", None))


class ImportsConfig(AppConfig):
    name = "opennrm.imports"
    label = "imports"
    verbose_name = _("Imports")
    dashboard_panel = staticmethod(_panel)

    def ready(self) -> None:
        # Each app declares its imports in <app>/import_specs.py (see imports.spec).
        autodiscover_modules("import_specs")
