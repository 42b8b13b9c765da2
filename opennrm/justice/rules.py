"""Who sees which proceeding (DESIGN §1, issue 8).

Justice users (prosecutors, courts, police investigators) see the proceedings their agency is part
of — as prosecutor's office, court or investigating police — and nothing of victims but the case
code and identification status. Caseworkers (``proceeding.view_stage``) see the stage and the next
hearing of proceedings linked to cases they may see, never the file.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.justice.models import Proceeding, VictimInProceeding


def _agency_scope(user: User, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if user.agency_id is None:
        return queryset.none()
    agency = user.agency_id
    return queryset.filter(
        Q(prosecutor_office_id=agency) | Q(court_id=agency) | Q(police_agency_id=agency)
    )


def _in_agency(user: User, proceeding: Any) -> bool:
    agency = user.agency_id
    return agency is not None and agency in {
        proceeding.prosecutor_office_id,
        proceeding.court_id,
        proceeding.police_agency_id,
    }


def case_linked_to_agency(case_id: int, agency_id: int) -> bool:
    """Whether the case is a victim's in a proceeding the agency takes part in (the one reason a
    justice user may look up its identification status)."""
    return VictimInProceeding.objects.filter(
        Q(proceeding__prosecutor_office_id=agency_id)
        | Q(proceeding__court_id=agency_id)
        | Q(proceeding__police_agency_id=agency_id),
        case_id=case_id,
    ).exists()


def _linked_to_visible_cases(user: User, queryset: QuerySet[Any]) -> QuerySet[Any]:
    from opennrm.cases.models import Case

    visible = policy.scope(user, Case.objects.all(), "case.view").values("pk")
    return queryset.filter(victims__case__in=visible).distinct()


def _stage_visible(user: User, proceeding: Any) -> bool:
    return _linked_to_visible_cases(user, Proceeding.objects.filter(pk=proceeding.pk)).exists()


for _action in ("proceeding.view", "proceeding.edit", "proceeding.export"):
    policy.register_scope(Proceeding, _action, _agency_scope)
    policy.register_rule(_action, _in_agency)
policy.register_scope(Proceeding, "proceeding.view_stage", _linked_to_visible_cases)
policy.register_rule("proceeding.view_stage", _stage_visible)
