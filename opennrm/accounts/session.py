"""What the current browser session proves about its user."""

from __future__ import annotations

from allauth.account.internal.flows.login import get_authentication_records
from django.http import HttpRequest

from opennrm.accounts.models import ApiToken


def token_of(request: HttpRequest) -> ApiToken | None:
    """The API token the request was authenticated with (set by the API's token auth), or None."""
    token = getattr(request, "api_token", None)
    return token if isinstance(token, ApiToken) else None


def mfa_verified(request: HttpRequest) -> bool:
    """Whether this session's user passed a second factor in it (allauth keeps the record).

    allauth signs a user with an authenticator in only after the code, so a session user is
    normally verified; a session opened another way (an administrator's tooling, a test's
    ``force_login``) is not, and may not mint tokens that outlive it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return False
    records = get_authentication_records(request, user)
    return any(record.get("method") == "mfa" for record in records)
