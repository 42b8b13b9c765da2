"""Reads of agencies and users, scoped by the access policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Max, Prefetch, QuerySet, Sum
from django.utils import timezone

from opennrm.accounts import policy
from opennrm.accounts.models import Agency, ApiToken, RoleAssignment, User


def user_list(*, actor: User, search: str = "", agency_id: int | None = None) -> QuerySet[User]:
    """Users an administrator manages (``user.manage``); empty for everyone else."""
    users = policy.scope(
        actor, User.objects.select_related("agency"), "user.manage"
    ).prefetch_related(
        Prefetch("role_assignments", queryset=RoleAssignment.objects.order_by("role"))
    )
    if search:
        users = users.filter(username__icontains=search)
    if agency_id:
        users = users.filter(agency_id=agency_id)
    return users.order_by("username")


def agency_list(*, actor: User) -> QuerySet[Agency]:
    """Agencies, for administrators (``agency.manage``)."""
    return policy.scope(actor, Agency.objects.all(), "agency.manage").order_by("name")


def token_list(*, actor: User) -> QuerySet[ApiToken]:
    """The actor's own tokens (active first)."""
    return ApiToken.objects.filter(user=actor).order_by("revoked_at", "-created_at")


@dataclass(frozen=True)
class Lockout:
    username: str
    failures: int
    last_attempt: datetime
    ends_at: datetime
    user_id: int | None


def lockout_list(*, actor: User) -> list[Lockout]:
    """Usernames locked out of sign-in now, latest first, for administrators (``user.manage``).

    Typed usernames without an account are listed too (``user_id`` None): a run of them is how a
    password-guessing attempt shows. Empty for everyone else.
    """
    from axes.models import AccessAttempt

    if not policy.can(actor, "user.manage"):
        return []
    cooloff = settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(
            username__isnull=False, attempt_time__gt=timezone.now() - cooloff
        )
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    names = [row["username"] for row in rows]
    ids = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
    return [
        Lockout(
            username=row["username"],
            failures=int(row["failures"]),
            last_attempt=row["last"],
            ends_at=row["last"] + cooloff,
            user_id=ids.get(row["username"]),
        )
        for row in rows
    ]
