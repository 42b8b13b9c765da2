"""Navigation entries that apps declare on their AppConfig (``nav = [NavItem(...)]``).

The shell shows an entry only when ``accounts.policy`` allows its action for the signed-in user,
so navigation by role needs no template logic and no central list to edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    action: str
    order: int = 50
