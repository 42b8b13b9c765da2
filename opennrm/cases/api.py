"""REST API for referrals, cases and protection under /api/v1/cases/.

The same services and selectors as the pages: policy decides, projections decide which fields a
role receives, domain errors become ``{"error": ...}`` with 400/403/404/409 (a stale ``version``
is 409).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import unquote

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.conf import settings as ninja_settings
from ninja.pagination import paginate
from pydantic import BaseModel, ConfigDict, Field

from opennrm.accounts import policy
from opennrm.accounts import selectors as account_selectors
from opennrm.cases import selectors, services, vocab
from opennrm.cases.api_ops import router as ops_router
from opennrm.cases.models import Case, Consent, Referral, ServiceRequest
from opennrm.core import http
from opennrm.core.apischemas import InputSchema, VersionIn, schema_of
from opennrm.core.errors import NotFoundError, ValidationFailed
from opennrm.core.pagination import MAX_OFFSET, CappedLimitOffsetPagination, capped_count

router = Router(tags=["cases"])


def _missing() -> NotFoundError:
    return NotFoundError(_("This record does not exist or you may not see it."))


# --- schemas -----------------------------------------------------------------------------


class ReferralIn(InputSchema):
    given_names: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    year_of_birth: int | None = None
    gender: str = vocab.Gender.UNKNOWN
    citizenship: list[str] = []
    languages: list[str] = []
    contacts: str = ""
    reason: str = ""
    is_child: bool = False
    consent_given: bool = False
    consent_scope: list[str] = []


class ReferralStatusOut(Schema):
    """The referral status projection; built from a Referral row (lists) or a prepared dict."""

    id: int
    reference: str
    to_agency: str
    status: str
    status_label: str
    sent_at: datetime
    acknowledged_at: datetime | None
    decided_at: datetime | None
    decline_category: str
    decline_category_label: str

    @staticmethod
    def resolve_decline_category_label(obj: Any) -> str:
        if isinstance(obj, dict):
            return str(obj["decline_category_label"])
        return selectors.referral_status_view(obj).decline_category_label

    @staticmethod
    def resolve_reference(obj: Any) -> str:
        if isinstance(obj, dict):
            return str(obj["reference"])
        return selectors.referral_status_view(obj).reference

    @staticmethod
    def resolve_to_agency(obj: Any) -> str:
        return str(obj["to_agency"]) if isinstance(obj, dict) else obj.to_agency.name

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj["status_label"]) if isinstance(obj, dict) else obj.get_status_display()


# The triage view as the selector holds it, less what stays with the centre's pages (who
# referred, when consent was recorded, the free-text decline reason), its status as ``referral``.
ReferralTriageOut = schema_of(
    selectors.ReferralTriageView,
    name="ReferralTriageOut",
    exclude=("status_view", "from_user", "consent_recorded_at", "decline_reason"),
    extra={"referral": ReferralStatusOut},
)


class DeclineIn(VersionIn):
    reason: str
    category: str = "other"


class AcceptIn(VersionIn):
    person_id: int | None = None


class MatchOut(Schema):
    person_id: int
    code: str
    given_names: str
    family_name: str
    date_of_birth: str
    year_of_birth: int | None
    strength: str


class CaseOut(Schema):
    id: int
    code: str
    status: str
    is_child: bool
    opened_on: date
    lead_agency: str
    version: int

    @staticmethod
    def resolve_lead_agency(obj: Case) -> str:
        return obj.lead_agency.name


class CaseListItem(BaseModel):
    """A row of the case list: the fields of ``CaseOut``, validated from plain rows.

    A plain pydantic model, not a ninja ``Schema``: the list reads only these columns as rows
    (``QuerySet.values``) and pydantic validates them natively. Building 50 cases with their
    agency and caseworker as model instances, then reading them through ninja's attribute getter,
    cost a third of the request's CPU (21 → 14 ms in-process, bench/README.md).
    """

    id: int
    code: str
    status: str
    is_child: bool
    opened_on: date
    lead_agency: str = Field(validation_alias="lead_agency__name")
    version: int


_LIST_COLUMNS = ("id", "code", "status", "is_child", "opened_on", "version", "lead_agency__name")


class OptionOut(Schema):
    action: str
    allowed: bool
    problems: list[str]


class ServiceOut(Schema):
    id: int
    version: int
    service_type: str
    provider_agency_id: int
    status: str
    requested_at: datetime
    responded_at: datetime | None
    decline_reason: str


class DecisionOut(Schema):
    outcome: str
    decided_on: date
    decision_org: str
    reasoning: str


class NoteOut(Schema):
    created_at: datetime
    body: str
    sensitivity: int | None = None


class ManagerCaseOut(Schema):
    role: str
    case: CaseOut
    person_code: str
    given_names: str
    family_name: str
    date_of_birth: str
    year_of_birth: int | None
    gender: str
    citizenship: list[str]
    languages: list[str]
    contacts: str
    identity_document: str
    person_version: int
    presumed_victim_date: date | None
    reflection_period_start: date | None
    reflection_period_end: date | None
    forms_of_exploitation: list[str]
    means_of_control: list[str]
    recruitment_method: str
    country_of_exploitation: str
    trafficking_scope: str
    risk_level: str
    closure_reason: str
    next_actions: list[OptionOut]
    decisions: list[DecisionOut]
    services: list[ServiceOut]
    notes: list[NoteOut]


class ProviderServiceOut(Schema):
    id: int
    version: int
    service_type: str
    status: str
    requested_at: datetime
    details: str


class ProviderCaseOut(Schema):
    role: str
    id: int
    code: str
    status_label: str
    is_child: bool
    given_names: str
    family_name: str
    year_of_birth: int | None
    gender_label: str
    languages: list[str]
    contacts: str
    services: list[ProviderServiceOut]
    notes: list[NoteOut]


CaseStatusOut = schema_of(
    selectors.CaseStatusView,
    name="CaseStatusOut",
    only=("code", "status", "identification", "decided_on"),
)


class ActionIn(VersionIn):
    presumed_on: date | None = None
    reflection_end: date | None = None
    decided_on: date | None = None
    reasoning: str = ""
    decision_org: str = vocab.DecisionMakingOrg.NON_POLICE_GOVERNMENT
    reason: str = ""
    details: str = ""


def _no_defaults(schema: dict[str, Any]) -> None:
    """A partial update's fields have no default in the schema: a client that filled one in
    would change what it never meant to."""
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


class CaseFactsIn(VersionIn):
    """Only the fields sent change (the defaults are never applied: unsent fields are left out).
    ``caseworker_id`` null leaves the case unassigned; the other facts are never null."""

    model_config = ConfigDict(json_schema_extra=_no_defaults)

    caseworker_id: int | None = None
    is_child: bool = False
    forms_of_exploitation: list[str] = []
    country_of_exploitation: str = ""
    municipality_of_exploitation: str = ""
    trafficking_scope: str = ""
    recruitment_method: str = ""
    means_of_control: list[str] = []
    risk_level: str = ""


class ServiceRequestIn(InputSchema):
    service_type: str
    provider_agency_id: int
    details: str = ""


class StepIn(VersionIn):
    reason: str = ""


class GuardianIn(InputSchema):
    full_name: str
    appointed_on: date
    contacts: str = ""
    relationship: str = ""
    appointed_by: str = ""


class ConsentIn(InputSchema):
    scope: str


class ConsentOut(Schema):
    id: int
    scope: str
    status: str
    version: int


class NoteIn(InputSchema):
    body: str
    sensitivity: int = vocab.NoteSensitivity.CASE_TEAM


class PlanIn(InputSchema):
    objectives: str = ""
    actions: str = ""
    planned_end_on: date | None = None
    actual_end_on: date | None = None
    version: int | None = None


class PermitIn(InputSchema):
    permit_type: str
    status: str
    applied_on: date
    granted_on: date | None = None
    refused_on: date | None = None
    renewed_on: date | None = None
    expires_on: date | None = None


class StayIn(Schema):
    admitted_on: date
    shelter_id: int | None = None
    service_request_id: int | None = None


class StayEndIn(VersionIn):
    left_on: date
    exit_reason: str


class IdOut(Schema):
    id: int
    version: int


def _status_out(view: selectors.ReferralStatusView) -> dict[str, Any]:
    return {
        "id": view.pk,
        "reference": view.reference,
        "to_agency": view.to_agency,
        "status": view.status,
        "status_label": view.status_label,
        "sent_at": view.sent_at,
        "acknowledged_at": view.acknowledged_at,
        "decided_at": view.decided_at,
        "decline_category": view.decline_category,
        "decline_category_label": view.decline_category_label,
    }


# --- referrals ---------------------------------------------------------------------------


@router.post("/referrals/", response={201: ReferralStatusOut})
def create_referral(request: HttpRequest, payload: ReferralIn) -> Status:
    """Refer a person (``referral.create``); an adult needs ``consent_given``."""
    referral = services.referral_create(actor=http.actor(request), **payload.dict())
    return Status(201, _status_out(selectors.referral_status_view(referral)))


@router.post("/referrals/from-screening/{screening_id}/", response={201: ReferralStatusOut})
def create_referral_from_screening(
    request: HttpRequest, screening_id: int, payload: ReferralIn
) -> Status:
    """Refer the person of a screening; the child flag and reason come from the screening."""
    data = payload.dict()
    referral = services.referral_from_screening(
        actor=http.actor(request), screening_id=screening_id, **data
    )
    return Status(201, _status_out(selectors.referral_status_view(referral)))


@router.get("/referrals/", response=list[ReferralStatusOut])
@paginate(CappedLimitOffsetPagination)
def list_referrals(request: HttpRequest, status: str = "") -> QuerySet[Referral]:
    """Referrals in the caller's scope: their own, or their agency's inbox for case managers.
    Only status fields are returned (the referral status projection). ``count`` is exact up to
    10,000; beyond, it is 10,000 with ``count_capped`` true.
    """
    return selectors.referral_list(actor=http.actor(request), status=status)


@router.get("/referrals/{referral_id}/", response=ReferralStatusOut)
def get_referral(request: HttpRequest, referral_id: int) -> dict[str, Any]:
    """The status of a referral (the referrer and the receiving centre)."""
    referral = selectors.referral_get(actor=http.actor(request), pk=referral_id)
    return _status_out(selectors.referral_status_view(referral))


@router.get("/referrals/{referral_id}/triage/", response=ReferralTriageOut)
def get_referral_triage(request: HttpRequest, referral_id: int) -> dict[str, Any]:
    """The person's details for the receiving case manager (``referral.decide``); audited."""
    view = selectors.referral_view(actor=http.actor(request), pk=referral_id)
    if not isinstance(view, selectors.ReferralTriageView):
        raise _missing()
    return {
        "referral": _status_out(view.status_view),
        **{
            name: getattr(view, name)
            for name in ReferralTriageOut.model_fields
            if name != "referral"
        },
    }


@router.get("/referrals/{referral_id}/duplicates/", response=list[MatchOut])
def referral_duplicates(request: HttpRequest, referral_id: int) -> list[dict[str, Any]]:
    """Possible earlier registrations of the referred person (blind index, all agencies)."""
    view = selectors.referral_view(actor=http.actor(request), pk=referral_id)
    if not isinstance(view, selectors.ReferralTriageView):
        raise _missing()
    matches = services.person_find_duplicates(
        actor=http.actor(request),
        given_names=view.given_names,
        family_name=view.family_name,
        date_of_birth=date.fromisoformat(view.date_of_birth) if view.date_of_birth else None,
        year_of_birth=view.year_of_birth,
    )
    return [
        {
            "person_id": p.pk,
            "code": p.code,
            "given_names": p.given_names,
            "family_name": p.family_name,
            "date_of_birth": p.date_of_birth,
            "year_of_birth": p.year_of_birth,
            "strength": strength,
        }
        for p, strength in matches
    ]


def _referral(request: HttpRequest, referral_id: int) -> Referral:
    return selectors.referral_get(actor=http.actor(request), pk=referral_id)


@router.post("/referrals/{referral_id}/acknowledge/", response=ReferralStatusOut)
def acknowledge_referral(request: HttpRequest, referral_id: int, payload: VersionIn) -> Any:
    """Confirm receipt (``referral.decide``)."""
    referral = services.referral_acknowledge(
        actor=http.actor(request),
        referral=_referral(request, referral_id),
        expected_version=payload.version,
    )
    return _status_out(selectors.referral_status_view(referral))


@router.post("/referrals/{referral_id}/decline/", response=ReferralStatusOut)
def decline_referral(request: HttpRequest, referral_id: int, payload: DeclineIn) -> Any:
    """Decline (``referral.decide``): ``category`` (a DeclineCategory value) is what the
    referrer sees; ``reason`` stays with the centre."""
    referral = services.referral_decline(
        actor=http.actor(request),
        referral=_referral(request, referral_id),
        expected_version=payload.version,
        reason=payload.reason,
        category=payload.category,
    )
    return _status_out(selectors.referral_status_view(referral))


@router.post("/referrals/{referral_id}/accept/", response={201: CaseOut})
def accept_referral(request: HttpRequest, referral_id: int, payload: AcceptIn) -> Status:
    """Accept: link to a confirmed match (``person_id``) or register a new person; opens a case."""
    person = None
    if payload.person_id is not None:
        person = selectors.person_ref(payload.person_id)
    case = services.referral_accept(
        actor=http.actor(request),
        referral=_referral(request, referral_id),
        expected_version=payload.version,
        person=person,
    )
    return Status(201, case)


# --- cases -------------------------------------------------------------------------------


class CaseSearchIn(InputSchema):
    q: str = ""
    status: str = ""
    agency_id: int | None = Field(None, ge=1, le=2**31 - 1)
    limit: int = Field(default_factory=lambda: ninja_settings.PAGINATION_PER_PAGE, ge=1)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class CaseSearchOut(Schema):
    items: list[CaseListItem]
    count: int
    count_capped: bool


# Personal data never travels in a URL (it would stay in access logs, proxies and histories).
PURPOSE_HEADER = "X-Purpose"


@router.get("/cases/", response=list[CaseListItem])
@paginate(CappedLimitOffsetPagination)
def list_cases(
    request: HttpRequest, q: str = "", status: str = "", agency_id: int | None = None
) -> QuerySet[Case, dict[str, Any]]:
    """Cases in the caller's scope; ``q`` is a code prefix only (a name is refused here: search
    by name with ``POST /cases/search/``). ``count`` is exact up to 10,000; beyond, it is 10,000
    with ``count_capped`` true."""
    if q.strip() and not selectors.is_code(q):
        raise ValidationFailed(
            _("Names never go in a URL. Search by name with POST /api/v1/cases/cases/search/."),
            code="name_in_url",
            fields={"q": _("Only a case code may be given here.")},
        )
    return selectors.case_list(
        actor=http.actor(request),
        filters=selectors.CaseFilters(q=q, status=status, agency_id=agency_id),
    ).values(*_LIST_COLUMNS)


@router.post("/cases/search/", response=CaseSearchOut)
def search_cases(request: HttpRequest, payload: CaseSearchIn) -> dict[str, Any]:
    """The case list searched by code prefix or exact full name (blind index), the search in the
    request body; every search by name is audited (without the name). ``limit`` and ``offset``
    (in the body too) and the answer's ``count``/``count_capped`` as for ``GET /cases/``.
    Permission: ``case.view``."""
    actor = policy.require(http.actor(request), "case.view")
    cases = selectors.case_list(
        actor=actor,
        filters=selectors.CaseFilters(
            q=payload.q, status=payload.status, agency_id=payload.agency_id
        ),
    ).values(*_LIST_COLUMNS)
    count, capped = capped_count(cases)
    limit = min(payload.limit, ninja_settings.PAGINATION_MAX_LIMIT)
    items = list(cases[payload.offset : payload.offset + limit])
    return {"items": items, "count": count, "count_capped": capped}


@router.get("/cases/{case_id}/", response=ManagerCaseOut | ProviderCaseOut)
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    """The case as the caller's role may see it; audited. A case manager who is not the
    caseworker states the purpose in the ``X-Purpose`` header (percent-encoded UTF-8 for
    non-ASCII text); a ``purpose`` query parameter is refused, as a purpose may name a person.
    """
    if "purpose" in request.GET:
        raise ValidationFailed(
            _("State the purpose in the X-Purpose header, never in the URL."),
            code="purpose_in_url",
            fields={"purpose": _("Use the X-Purpose header.")},
        )
    purpose = unquote(request.headers.get(PURPOSE_HEADER, ""))
    view = selectors.case_detail(actor=http.actor(request), pk=case_id, purpose=purpose)
    if isinstance(view, selectors.ProviderView):
        return {
            "role": view.role,
            "id": view.pk,
            "code": view.code,
            "status_label": view.status_label,
            "is_child": view.is_child,
            "given_names": view.given_names,
            "family_name": view.family_name,
            "year_of_birth": view.year_of_birth,
            "gender_label": view.gender_label,
            "languages": view.languages,
            "contacts": view.contacts,
            "services": [
                {
                    "id": s.pk,
                    "version": s.version,
                    "service_type": s.service_type,
                    "status": s.status,
                    "requested_at": s.requested_at,
                    "details": s.details,
                }
                for s in view.services
            ],
            "notes": [{"created_at": n.created_at, "body": n.body} for n in view.notes],
        }
    case, person = view.case, view.person
    return {
        "role": view.role,
        "case": case,
        "person_code": person.code,
        "given_names": person.given_names,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "year_of_birth": person.year_of_birth,
        "gender": case.person.gender,
        "citizenship": person.citizenship,
        "languages": person.languages,
        "contacts": person.contacts,
        "identity_document": person.identity_document,
        "person_version": person.version,
        "presumed_victim_date": case.presumed_victim_date,
        "reflection_period_start": case.reflection_period_start,
        "reflection_period_end": case.reflection_period_end,
        "forms_of_exploitation": case.forms_of_exploitation,
        "means_of_control": case.means_of_control,
        "recruitment_method": case.recruitment_method,
        "country_of_exploitation": case.country_of_exploitation,
        "trafficking_scope": case.trafficking_scope,
        "risk_level": case.risk_level,
        "closure_reason": case.closure_reason,
        "next_actions": [
            {
                "action": o.action,
                "allowed": o.allowed,
                "problems": [_(p.message) for p in o.problems],
            }
            for o in view.options
        ],
        "decisions": view.decisions,
        "services": view.services,
        "notes": [
            {"created_at": n.created_at, "body": n.body, "sensitivity": n.sensitivity}
            for n in view.notes
        ],
    }


def _case(request: HttpRequest, case_id: int, action: str = "case.edit") -> Case:
    return selectors.case_get(actor=http.actor(request), pk=case_id, action=action)


@router.post("/cases/{case_id}/actions/{action}/", response=CaseOut)
def case_action(request: HttpRequest, case_id: int, action: str, payload: ActionIn) -> Case:
    """A workflow step: begin_assessment, presume_victim, identify, not_identify,
    start_protection, close, reopen — with the inputs each needs. 409 on a stale version or an
    impossible transition; 400 with the reason when a guard refuses.
    """
    actor, case = http.actor(request), _case(request, case_id)
    v = payload.version
    if action == "begin_assessment":
        services.case_begin_assessment(actor=actor, case=case, expected_version=v)
    elif action == "presume_victim":
        services.case_presume_victim(
            actor=actor,
            case=case,
            expected_version=v,
            presumed_on=payload.presumed_on,
            reflection_end=payload.reflection_end,
        )
    elif action in ("identify", "not_identify"):
        services.case_decide_identification(
            actor=actor,
            case=case,
            expected_version=v,
            outcome="identified" if action == "identify" else "not_identified",
            decided_on=payload.decided_on,
            reasoning=payload.reasoning,
            decision_org=payload.decision_org,
        )
    elif action == "start_protection":
        services.case_start_protection(actor=actor, case=case, expected_version=v)
    elif action == "close":
        services.case_close(
            actor=actor,
            case=case,
            expected_version=v,
            reason=payload.reason,
            details=payload.details,
        )
    elif action == "reopen":
        services.case_reopen(actor=actor, case=case, expected_version=v, reason=payload.reason)
    else:
        raise _missing()
    return case


@router.patch("/cases/{case_id}/", response=CaseOut)
def update_case(request: HttpRequest, case_id: int, payload: CaseFactsIn) -> Case:
    """Edit case facts (``case.edit``); only the fields sent change."""
    actor, case = http.actor(request), _case(request, case_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    if "caseworker_id" in changes:
        worker_id = changes.pop("caseworker_id")
        changes["caseworker"] = (
            account_selectors.user_ref(pk=worker_id, field="caseworker_id") if worker_id else None
        )
    return services.case_update(actor=actor, case=case, expected_version=version, **changes)


@router.get("/status/", response=CaseStatusOut)
def case_status(request: HttpRequest, code: str) -> selectors.CaseStatusView:
    """Code and identification status of one case (``case.view_status``: justice)."""
    return selectors.case_status_by_code(actor=http.actor(request), code=code)


# --- protection --------------------------------------------------------------------------


@router.post("/cases/{case_id}/services/", response={201: ServiceOut})
def request_service(request: HttpRequest, case_id: int, payload: ServiceRequestIn) -> Status:
    """Request a service from a provider agency (``service.request``)."""
    agency = account_selectors.agency_ref(
        payload.provider_agency_id, field="provider_agency_id", active_only=True
    )
    created = services.service_request_create(
        actor=http.actor(request),
        case=_case(request, case_id),
        service_type=payload.service_type,
        provider_agency=agency,
        details=payload.details,
    )
    return Status(201, created)


@router.get("/services/", response=list[ServiceOut])
@paginate(CappedLimitOffsetPagination)
def list_services(request: HttpRequest, status: str = "") -> QuerySet[ServiceRequest]:
    """Service requests addressed to the caller's agency (``service.update``). ``count`` is
    exact up to 10,000; beyond, it is 10,000 with ``count_capped`` true."""
    return selectors.service_inbox(actor=http.actor(request), status=status)


@router.post("/services/{service_id}/{step}/", response=ServiceOut)
def service_step(
    request: HttpRequest, service_id: int, step: str, payload: StepIn
) -> ServiceRequest:
    """The provider's accept / decline / start / complete."""
    if step not in ("accept", "decline", "start", "complete"):
        raise _missing()
    actor = http.actor(request)
    return services.service_request_respond(
        actor=actor,
        request=selectors.service_request_get(actor=actor, pk=service_id),
        expected_version=payload.version,
        step=step,
        reason=payload.reason,
    )


@router.post("/cases/{case_id}/guardians/", response={201: IdOut})
def add_guardian(request: HttpRequest, case_id: int, payload: GuardianIn) -> Status:
    """Record a child's guardian (``case.edit``)."""
    return Status(
        201,
        services.guardian_add(
            actor=http.actor(request), case=_case(request, case_id), **payload.dict()
        ),
    )


@router.post("/cases/{case_id}/consents/", response={201: ConsentOut})
def add_consent(request: HttpRequest, case_id: int, payload: ConsentIn) -> Status:
    """Record a consent given now (``case.edit``)."""
    return Status(
        201,
        services.consent_record(
            actor=http.actor(request), case=_case(request, case_id), scope=payload.scope
        ),
    )


@router.post("/consents/{consent_id}/withdraw/", response=ConsentOut)
def withdraw_consent(request: HttpRequest, consent_id: int, payload: VersionIn) -> Consent:
    """Record that a consent was withdrawn (``case.edit``)."""
    actor = http.actor(request)
    consent = selectors.consent_get(actor=actor, pk=consent_id)
    return services.consent_withdraw(actor=actor, consent=consent, expected_version=payload.version)


@router.post("/cases/{case_id}/notes/", response={201: IdOut})
def add_note(request: HttpRequest, case_id: int, payload: NoteIn) -> Status:
    """Add an encrypted note (case managers; providers write shared notes only)."""
    note = services.case_note_add(
        actor=http.actor(request),
        case=_case(request, case_id, "case.view"),
        body=payload.body,
        sensitivity=payload.sensitivity,
    )
    return Status(201, {"id": note.pk, "version": 1})


@router.put("/cases/{case_id}/plan/", response=IdOut)
def save_plan(request: HttpRequest, case_id: int, payload: PlanIn) -> Any:
    """Create or update the case plan (``version`` when it exists)."""
    return services.case_plan_save(
        actor=http.actor(request),
        case=_case(request, case_id),
        objectives=payload.objectives,
        actions=payload.actions,
        planned_end_on=payload.planned_end_on,
        actual_end_on=payload.actual_end_on,
        expected_version=payload.version,
    )


@router.post("/cases/{case_id}/permits/", response={201: IdOut})
def add_permit(request: HttpRequest, case_id: int, payload: PermitIn) -> Status:
    """Record an Art. 14 residence permit (``case.edit``)."""
    return Status(
        201,
        services.residence_permit_save(
            actor=http.actor(request), case=_case(request, case_id), **payload.dict()
        ),
    )


@router.post("/cases/{case_id}/shelter-stays/", response={201: IdOut})
def add_stay(request: HttpRequest, case_id: int, payload: StayIn) -> Status:
    """Record a shelter admission: the case manager, or the shelter for its own request."""
    actor = http.actor(request)
    if payload.service_request_id is not None:
        service = selectors.service_request_get(actor=actor, pk=payload.service_request_id)
        if service.case_id != case_id:
            raise _missing()
        return Status(
            201,
            services.shelter_stay_start(
                actor=actor,
                case=service.case,
                admitted_on=payload.admitted_on,
                service_request=service,
            ),
        )
    shelter = (
        account_selectors.agency_ref(payload.shelter_id, field="shelter_id")
        if payload.shelter_id
        else None
    )
    return Status(
        201,
        services.shelter_stay_start(
            actor=actor,
            case=_case(request, case_id),
            admitted_on=payload.admitted_on,
            shelter=shelter,
        ),
    )


@router.post("/shelter-stays/{stay_id}/end/", response=IdOut)
def end_stay(request: HttpRequest, stay_id: int, payload: StayEndIn) -> Any:
    """Record the departure from a shelter."""
    actor = http.actor(request)
    return services.shelter_stay_end(
        actor=actor,
        stay=selectors.shelter_stay_get(actor=actor, pk=stay_id),
        expected_version=payload.version,
        left_on=payload.left_on,
        exit_reason=payload.exit_reason,
    )


# Operational endpoints (imports, case-file export, deadlines), under the same prefix and tag.
router.add_router("", ops_router)
