from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "opennrm.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        # Each app declares its imports in <app>/import_specs.py (see imports.spec).
        autodiscover_modules("import_specs")
