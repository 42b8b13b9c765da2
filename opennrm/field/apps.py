from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


class FieldConfig(AppConfig):
    name = "opennrm.field"
    label = "field"
    verbose_name = _("Field work")
    # The field roles: those who screen (screeners, case managers) and service providers, who
    # update their services and shared notes from the field.
    nav = [
        NavItem(_("Field work"), "field:home", "screening.create", order=15),
        NavItem(_("Field work"), "field:home", "service.update", order=15),
        NavItem(_("Field devices"), "field:devices", "user.manage", order=83),
    ]
