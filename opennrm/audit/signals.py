"""Authentication events in the audit trail: logins, failed logins and lockouts.

Failed logins never record the password, and record the attempted username only as typed (it may
not exist; the trail is read by auditors only).
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from opennrm.audit.services import record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(actor=user, verb="auth.login")


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(actor=user, verb="auth.logout")


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    attempted = str(credentials.get("username") or credentials.get("login") or "")[:150]
    record(actor=None, actor_label=attempted, verb="auth.login_failed")


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: Any = None, username: str | None = None, **kwargs: Any
) -> None:
    record(actor=None, actor_label=(username or "")[:150], verb="auth.lockout", flagged=True)
