from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "opennrm.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from opennrm.core import checks

        pre_save.connect(checks.refuse_long_text, dispatch_uid="opennrm.core.refuse_long_text")
