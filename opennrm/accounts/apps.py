from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


class AccountsConfig(AppConfig):
    name = "opennrm.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    nav = [
        NavItem(_("Users"), "accounts:users", "user.manage", order=80),
        NavItem(_("Agencies"), "accounts:agencies", "agency.manage", order=81),
    ]
