from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


class AwarenessConfig(AppConfig):
    name = "opennrm.awareness"
    label = "awareness"
    verbose_name = _("Awareness")
    nav = [NavItem(_("Awareness"), "awareness:index", "awareness.view", order=65)]
