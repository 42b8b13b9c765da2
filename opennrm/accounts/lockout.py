"""The username that django-axes counts failed sign-ins against.

allauth authenticates with ``username=`` in the credentials while its form posts ``login``; axes
must see the same name on both paths, or failures are never counted. The name is folded to
lower case and trimmed so that "Ana", " ana" and "ana" share one counter and one lock: otherwise
each casing would get its own five attempts. Nothing here reveals whether the account exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest


def lockout_username(request: HttpRequest | None, credentials: Mapping[str, Any] | None) -> str:
    """The normalised username from the credentials, else from the posted sign-in form."""
    name: Any = None
    if credentials:
        name = credentials.get("username") or credentials.get("login")
    if not name and request is not None:
        data = getattr(request, "POST", None) or {}
        name = data.get("login") or data.get("username")
    return str(name or "").strip().lower()[:150]
