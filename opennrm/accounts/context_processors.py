"""The base layout's context: the navigation the user's roles open (``accounts.policy``), and the
demo-mode flag. Here, not in ``core``, because it reads the policy (core sits below accounts)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from opennrm.accounts import policy
from opennrm.core.nav import NavItem


def shell(request: HttpRequest) -> dict[str, Any]:
    """Navigation for the signed-in user's roles, and demo-mode flag, for the base layout."""
    user = getattr(request, "user", None)
    items: list[dict[str, Any]] = []
    if user is not None and user.is_authenticated:
        declared: list[NavItem] = []
        for config in apps.get_app_configs():
            declared.extend(getattr(config, "nav", []))
        for item in sorted(declared, key=lambda nav: nav.order):
            if not policy.can(user, item.action):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            # One page may be reached by several actions (field work: screening or services).
            if any(shown["url"] == url for shown in items):
                continue
            items.append({"label": item.label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items, "demo_mode": settings.DEMO_MODE}
