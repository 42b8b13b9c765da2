from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


def _lockout_panel(request: HttpRequest) -> dict[str, Any] | None:
    """For administrators: the usernames locked out of sign-in now, with an unlock button."""
    from opennrm.accounts import policy, selectors

    user = getattr(request, "user", None)
    if not policy.can(user, "user.manage"):
        return None
    return {
        "title": _("Locked sign-ins"),
        "template": "accounts/_panel.html",
        "lockouts": selectors.lockout_list(actor=user),  # type: ignore[arg-type]
    }


class AccountsConfig(AppConfig):
    name = "opennrm.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    nav = [
        NavItem(_("Users"), "accounts:users", "user.manage", order=80),
        NavItem(_("Agencies"), "accounts:agencies", "agency.manage", order=81),
    ]
    dashboard_panel = staticmethod(_lockout_panel)
