"""Object rules for screenings: screeners see their own and their agency's, case managers all."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.accounts.roles import Role
from opennrm.screening.models import Screening


def can_view(user: User, screening: Any) -> bool:
    if not isinstance(screening, Screening):
        return False
    if user.has_role(Role.CASE_MANAGER):
        return True
    return screening.screener_id == user.pk or (
        user.agency_id is not None and screening.agency_id == user.agency_id
    )


def scope_view(user: User, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if user.has_role(Role.CASE_MANAGER):
        return queryset
    mine = Q(screener=user)
    if user.agency_id is not None:
        mine |= Q(agency_id=user.agency_id)
    return queryset.filter(mine)


def register() -> None:
    policy.register_rule("screening.view", can_view)
    policy.register_scope(Screening, "screening.view", scope_view)
