"""Typed request for views (``request.user`` is our User), and the one way to get the actor.

``actor(request)`` is the user a request acts as, in pages (the session's user) and in the API
(``request.auth``, set by the API's authentication to the session's user or the token's owner).
Views, API operations and their helpers call it instead of reading either attribute themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

if TYPE_CHECKING:  # core sits below accounts: the class is looked up, not imported
    from opennrm.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


def actor(request: HttpRequest) -> User:
    """The signed-in user the request acts as; refused (403) when there is none."""
    user_model = get_user_model()  # opennrm.accounts.models.User (AUTH_USER_MODEL)
    user = getattr(request, "auth", None)
    if not isinstance(user, user_model):
        user = getattr(request, "user", None)
    if not isinstance(user, user_model) or not user.is_authenticated:
        raise PermissionDenied
    return user
