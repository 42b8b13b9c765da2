from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


class TransnationalConfig(AppConfig):
    name = "opennrm.transnational"
    label = "transnational"
    verbose_name = _("Transnational referral")
    nav = [
        NavItem(_("Transnational"), "transnational:index", "trm.view", order=45),
        NavItem(_("Partner platforms"), "transnational:index", "trm.partner.manage", order=92),
    ]
