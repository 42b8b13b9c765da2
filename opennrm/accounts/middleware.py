"""Session lifetime (15 min idle, 12 h absolute, ended by access changes) and mandatory 2FA."""

from __future__ import annotations

import time
from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from opennrm.accounts.models import User
from opennrm.accounts.roles import MFA_REQUIRED_ROLES

_LOGIN_AT = "opennrm_login_at"
_SEEN_AT = "opennrm_seen_at"
_EPOCH = "opennrm_epoch"


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.setdefault(_LOGIN_AT, now)
            seen_at = session.get(_SEEN_AT, now)
            epoch = session.setdefault(_EPOCH, user.auth_epoch)
            reason = None
            if now - seen_at > settings.OPENNRM_SESSION_IDLE_SECONDS:
                reason = _("You were signed out after 15 minutes without activity.")
            elif now - login_at > settings.OPENNRM_SESSION_ABSOLUTE_SECONDS:
                reason = _("Your session reached its 12-hour limit; sign in again.")
            elif epoch != user.auth_epoch:
                reason = _("Your access changed; sign in again.")
            if reason is not None:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                response = HttpResponseRedirect(f"{reverse('account_login')}?next={request.path}")
                # MessageMiddleware runs after this one and is skipped by the early return, so
                # the notice is stored directly.
                storage = default_storage(request)
                storage.add(messages.INFO, reason)
                storage.update(response)
                return response
            session[_SEEN_AT] = now
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """Users of roles that can see personal data must enrol a TOTP authenticator before anything else."""

    _ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz", "/api/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            isinstance(user, User)
            and user.is_authenticated
            and not request.path.startswith(self._ALLOWED_PREFIXES)
            and user.roles & MFA_REQUIRED_ROLES
            and not is_mfa_enabled(user)
        ):
            messages.warning(
                request, _("Your role requires two-factor authentication. Set it up to continue.")
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
