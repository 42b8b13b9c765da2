"""Reads of agencies and users, scoped by the access policy."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import (
    Agency,
    AgencyAlias,
    ApiToken,
    BreakGlassGrant,
    GrantStatus,
    RoleAssignment,
    RoleGrant,
    SecondFactorFailure,
    User,
)
from opennrm.core.errors import NotFoundError, ValidationFailed


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


def agency_refs(pks: Iterable[int], *, field: str, active_only: bool = False) -> list[Agency]:
    """The agencies a form or API payload names by id in ``field`` (agencies are reference data
    every signed-in user may name), or NotFoundError naming that field when any of them does
    not exist: an unknown id is never silently dropped."""
    wanted = set(pks)
    agencies = Agency.objects.filter(is_active=True) if active_only else Agency.objects.all()
    found = list(agencies.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise NotFoundError(
            _("This agency does not exist."), fields={field: _("Choose an agency.")}
        )
    return found


def agency_ref(pk: int, *, field: str, active_only: bool = False) -> Agency:
    """The one agency a payload names by id in ``field`` (see ``agency_refs``)."""
    return agency_refs([pk], field=field, active_only=active_only)[0]


def user_ref(*, field: str, pk: int | None = None, username: str = "") -> User:
    """The active user a payload names (by id or username) in ``field``, e.g. a caseworker or a
    follow-up's owner, or ValidationFailed naming that field."""
    users = User.objects.filter(is_active=True)
    if pk is not None:
        user = users.filter(pk=pk).first()
        message = _("There is no active user with this id.")
    else:
        user = users.filter(username=username).first()
        message = _("There is no active user with this username.")
    if user is None:
        raise ValidationFailed(message, fields={field: message})
    return user


def token_get(*, actor: User, pk: int) -> ApiToken:
    """One of the actor's own API tokens, or NotFoundError."""
    token = ApiToken.objects.filter(pk=pk, user=actor).first()
    if token is None:
        raise NotFoundError(_("No such token."))
    return token


def agency_list(*, actor: User) -> QuerySet[Agency]:
    """Agencies, for administrators (``agency.manage``)."""
    return policy.scope(actor, Agency.objects.all(), "agency.manage").order_by("name")


def agency_alias_list(*, actor: User) -> QuerySet[AgencyAlias]:
    """Agency aliases, for administrators (``agency.manage``)."""
    return policy.scope(
        actor, AgencyAlias.objects.select_related("agency"), "agency.manage"
    ).order_by("text")


def token_list(*, actor: User, user: User | None = None) -> QuerySet[ApiToken]:
    """The actor's own tokens, or (``user.manage``) another user's; newest first."""
    owner = actor if user is None else user
    if owner.pk != actor.pk and not policy.can(actor, "user.manage"):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=owner).order_by("revoked_at", "-created_at")


def role_grant_list(*, actor: User, pending_only: bool = True) -> QuerySet[RoleGrant]:
    """Role grants awaiting (or past) a second administrator's decision, newest first; for
    administrators (``user.manage``) and the auditor (``audit.view``), empty for everyone else."""
    if not (policy.can(actor, "user.manage") or policy.can(actor, "audit.view")):
        return RoleGrant.objects.none()
    grants = RoleGrant.objects.select_related("user", "user__agency", "requested_by", "decided_by")
    if pending_only:
        grants = grants.filter(status=GrantStatus.PENDING)
    return grants.order_by("-requested_at")


def break_glass_list(*, actor: User, unreviewed_only: bool = False) -> QuerySet[BreakGlassGrant]:
    """Every break-the-glass access with its stated purpose, for the auditor (``audit.view``)."""
    if not policy.can(actor, "audit.view"):
        return BreakGlassGrant.objects.none()
    grants = BreakGlassGrant.objects.select_related("user", "content_type", "reviewed_by")
    if unreviewed_only:
        grants = grants.filter(reviewed_at__isnull=True)
    return grants.order_by("reviewed_at", "-created_at")


@dataclass(frozen=True)
class SecondFactorState:
    locked: bool
    wait_seconds: int


def second_factor_state(*, user: User, ip_address: str) -> SecondFactorState:
    """Whether a two-factor code may be tried now for ``user`` from ``ip_address``.

    Counts failures in the last ``AXES_COOLOFF_TIME`` per user and per address: under
    ``OPENNRM_MFA_FREE_ATTEMPTS`` free; then 1, 2, 4 … seconds after the last failure; locked from
    ``OPENNRM_MFA_MAX_ATTEMPTS``. No permission: it is the sign-in step's own check.
    """
    now = timezone.now()
    free = int(settings.OPENNRM_MFA_FREE_ATTEMPTS)
    limit = int(settings.OPENNRM_MFA_MAX_ATTEMPTS)
    recent = SecondFactorFailure.objects.filter(at__gt=now - settings.AXES_COOLOFF_TIME)
    same_address = Q(ip_address=ip_address) if ip_address else Q(pk__in=[])
    counts = recent.aggregate(
        user_n=Count("pk", filter=Q(user=user)),
        user_last=Max("at", filter=Q(user=user)),
        ip_n=Count("pk", filter=same_address),
        ip_last=Max("at", filter=same_address),
    )
    wait = 0.0
    for failures, last in (
        (counts["user_n"], counts["user_last"]),
        (counts["ip_n"], counts["ip_last"]),
    ):
        if failures >= limit:
            return SecondFactorState(locked=True, wait_seconds=0)
        if failures >= free and last is not None:
            ready = last.timestamp() + 2 ** (failures - free)
            wait = max(wait, ready - now.timestamp())
    return SecondFactorState(locked=False, wait_seconds=math.ceil(wait) if wait > 0 else 0)


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
    locked = [
        Lockout(
            username=row["username"],
            failures=int(row["failures"]),
            last_attempt=row["last"],
            ends_at=row["last"] + cooloff,
            user_id=ids.get(row["username"]),
        )
        for row in rows
    ]
    # Two-factor lockouts (wrong codes after a right password), lifted the same way.
    second = (
        SecondFactorFailure.objects.filter(at__gt=timezone.now() - cooloff)
        .values("user_id", "user__username")
        .annotate(failures=Count("pk"), last=Max("at"))
        .filter(failures__gte=settings.OPENNRM_MFA_MAX_ATTEMPTS)
    )
    listed = {lock.username.lower() for lock in locked}
    locked += [
        Lockout(
            username=row["user__username"],
            failures=int(row["failures"]),
            last_attempt=row["last"],
            ends_at=row["last"] + cooloff,
            user_id=row["user_id"],
        )
        for row in second
        if row["user__username"].lower() not in listed
    ]
    return sorted(locked, key=lambda lock: lock.last_attempt, reverse=True)
