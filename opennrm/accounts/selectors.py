"""Reads of agencies and users, scoped by the access policy."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

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
