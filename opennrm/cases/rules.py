"""Object rules and scopes for the NRM core (DESIGN §1); registered from CasesConfig.ready.

- screener: the status of referrals *they* sent (``referral.view`` scope: own), nothing else;
- case_manager: cases led by their agency (the Centre leads every identification case), with
  personal data; another agency's case only through a break-the-glass grant; referrals sent to
  or by their agency;
- service_provider: cases their agency serves, and only while it may (issue 13, findings 3
  and 11): a service request to their agency that is open (requested, accepted, in progress) or
  completed less than ``OPENNRM_PROVIDER_GRACE_HOURS`` ago; the case open or closed less than
  that grace ago (time for closing notes); and, for an adult, the person's consent to sharing
  with service providers given and not withdrawn (withdrawal ends access at once, no grace).
  One condition (``provider_condition``) serves the scope of every list and API and the rule
  for single records;
- justice: ``case.view_status`` by exact code, and only for a case linked to a proceeding of
  their own agency (prosecutor's office, court or investigating police; see
  ``justice.rules.case_linked_to_agency`` and ``selectors.case_status_by_code``);
- everyone else: nothing (their roles do not hold the actions at all).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.accounts.roles import Role
from opennrm.cases import vocab
from opennrm.cases.models import Case, Consent, Referral, ServiceRequest

_LIVE_SERVICE = (
    vocab.ServiceStatus.REQUESTED,
    vocab.ServiceStatus.ACCEPTED,
    vocab.ServiceStatus.IN_PROGRESS,
)


def _case_of(obj: Any) -> Case | None:
    if isinstance(obj, Case):
        return obj
    case = getattr(obj, "case", None)
    return case if isinstance(case, Case) else None


def provider_condition(agency_id: int) -> Q:
    """The cases a service provider agency may see now (see the module docstring)."""
    since = timezone.now() - timedelta(hours=settings.OPENNRM_PROVIDER_GRACE_HOURS)
    serving = ServiceRequest.objects.filter(case_id=OuterRef("pk"), provider_agency_id=agency_id)
    serving = serving.filter(
        Q(status__in=_LIVE_SERVICE)
        | Q(status=vocab.ServiceStatus.COMPLETED, completed_at__gte=since)
    )
    consented = Consent.objects.filter(
        case_id=OuterRef("pk"),
        scope=vocab.ConsentScope.SERVICES,
        status=vocab.ConsentStatus.GIVEN,
    )
    return (
        Q(Exists(serving))
        & (~Q(status=vocab.CaseStatus.CLOSED) | Q(closed_at__gte=since))
        & (Q(is_child=True) | Q(Exists(consented)))
    )


def _provider_assigned(user: User, case: Case) -> bool:
    return (
        user.has_role(Role.SERVICE_PROVIDER)
        and user.agency_id is not None
        and Case.objects.filter(pk=case.pk).filter(provider_condition(user.agency_id)).exists()
    )


def _leads(user: User, case: Case) -> bool:
    return (
        user.has_role(Role.CASE_MANAGER)
        and user.agency_id is not None
        and case.lead_agency_id == user.agency_id
    )


def can_manage_case(user: User, obj: Any) -> bool:
    case = _case_of(obj)
    if case is None:
        return False
    return _leads(user, case) or (
        user.has_role(Role.CASE_MANAGER) and policy.has_break_glass(user, case)
    )


def can_view_case(user: User, obj: Any) -> bool:
    case = _case_of(obj)
    if case is None:
        return False
    return can_manage_case(user, case) or _provider_assigned(user, case)


def can_view_status(user: User, obj: Any) -> bool:
    """Justice sees the status of a victim linked to a proceeding its agency takes part in
    (DESIGN §1: "identification status of linked victims"), nothing else; the link itself is an
    audited act (``proceeding.victim_link``)."""
    case = _case_of(obj)
    if case is None:
        return False
    if can_view_case(user, case):
        return True
    # The link lives in the app that holds proceedings (``justice``): it contributes the check as
    # ``case_status_link`` on its AppConfig, so cases does not import the app that imports it.
    return any(
        config.case_status_link(user, case)
        for config in apps.get_app_configs()
        if hasattr(config, "case_status_link")
    )


def can_view_referral(user: User, obj: Any) -> bool:
    if not isinstance(obj, Referral):
        return False
    if obj.from_user_id == user.pk:
        return True
    return user.has_role(Role.CASE_MANAGER) and obj.to_agency_id == user.agency_id


def can_decide_referral(user: User, obj: Any) -> bool:
    return isinstance(obj, Referral) and obj.to_agency_id == user.agency_id


def can_update_service(user: User, obj: Any) -> bool:
    return (
        isinstance(obj, ServiceRequest)
        and user.agency_id is not None
        and obj.provider_agency_id == user.agency_id
    )


def case_scope(user: User, queryset: QuerySet[Case]) -> QuerySet[Case]:
    condition = Q(pk__in=[])
    if user.has_role(Role.CASE_MANAGER):
        condition |= Q(lead_agency_id=user.agency_id)
        # Grants store object ids as text; compare as integers on every database.
        granted = [int(pk) for pk in policy.break_glass_ids(user, Case)]
        condition |= Q(pk__in=granted)
    if user.has_role(Role.SERVICE_PROVIDER) and user.agency_id is not None:
        condition |= provider_condition(user.agency_id)
    return queryset.filter(condition)


def referral_scope(user: User, queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    condition = Q(from_user_id=user.pk)
    if user.has_role(Role.CASE_MANAGER):
        condition |= Q(to_agency_id=user.agency_id)
    return queryset.filter(condition)


def service_scope(user: User, queryset: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    return queryset.filter(provider_agency_id=user.agency_id)


def register() -> None:
    policy.register_rule("case.view", can_view_case)
    policy.register_rule("case.view_pii", can_view_case)
    policy.register_rule("case.view_status", can_view_status)
    policy.register_rule("case.edit", can_manage_case)
    policy.register_rule("case.export_file", can_manage_case)
    policy.register_rule("service.request", can_manage_case)
    policy.register_rule("referral.view", can_view_referral)
    policy.register_rule("referral.decide", can_decide_referral)
    policy.register_rule("service.update", can_update_service)
    policy.register_scope(Case, "case.view", case_scope)
    policy.register_scope(Case, "case.view_pii", case_scope)
    policy.register_scope(Case, "case.edit", case_scope)
    policy.register_scope(Referral, "referral.view", referral_scope)
    policy.register_scope(Referral, "referral.decide", referral_scope)
    policy.register_scope(ServiceRequest, "service.update", service_scope)
