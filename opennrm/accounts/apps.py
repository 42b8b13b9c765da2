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
    pending = selectors.role_grant_list(actor=user)  # type: ignore[arg-type]
    return {
        "title": _("Locked sign-ins"),
        "template": "accounts/_panel.html",
        "lockouts": selectors.lockout_list(actor=user),  # type: ignore[arg-type]
        # Role requests that wait for a second administrator: the first few, each linked to
        # the account, and how many (``status`` filter; never every row).
        "pending": list(pending[:5]),
        "pending_total": pending.count(),
    }


class AccountsConfig(AppConfig):
    name = "opennrm.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    nav = [
        NavItem(_("Users"), "accounts:users", "user.manage", order=80),
        NavItem(_("Agencies"), "accounts:agencies", "agency.manage", order=81),
        NavItem(_("Role approvals"), "accounts:grants", "user.manage", order=82),
        NavItem(_("Break-the-glass review"), "accounts:break_glass", "audit.view", order=91),
    ]

    def ready(self) -> None:
        from opennrm.audit.labels import register

        register(
            {
                "role_grant.request": _("Role requested, awaiting a second administrator"),
                "role_grant.approve": _("Role request approved"),
                "role_grant.reject": _("Role request rejected"),
                "access.break_glass_review": _("Break the glass reviewed"),
                "auth.mfa_failed": _("Wrong two-factor code"),
                "auth.mfa_lockout": _("Two-factor sign-in locked after wrong codes"),
            }
        )

    dashboard_panel = staticmethod(_lockout_panel)
