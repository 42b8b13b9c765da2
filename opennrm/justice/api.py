"""Justice API: proceedings for justice users, stage and next hearing for caseworkers, figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from opennrm.accounts import policy
from opennrm.accounts import selectors as account_selectors
from opennrm.accounts.models import Agency, User
from opennrm.core import http
from opennrm.core.apischemas import InputSchema
from opennrm.core.errors import PermissionDeniedError
from opennrm.justice import selectors, services
from opennrm.justice.models import Proceeding

router = Router(tags=["justice"])


class ProceedingOut(Schema):
    id: int
    code: str
    file_number: str
    stage: str
    status: str
    started_on: date
    closed_on: date | None
    ex_officio: bool
    version: int


class ChargeOut(Schema):
    offence: str
    initial_offence: str
    requalified: bool


class DefendantOut(Schema):
    id: int
    code: str
    sex: str
    year_of_birth: int | None
    outcome: str
    prison_months: int | None
    charges: list[ChargeOut]
    version: int


class VictimOut(Schema):
    id: int
    case_code: str
    identification_status: str
    role: str
    protective_measures: list[str]
    legal_aid: bool
    compensation_claimed_eur: Decimal
    compensation_awarded_eur: Decimal
    compensation_paid_eur: Decimal
    non_punishment_applied: bool | None
    version: int


class HearingOut(Schema):
    at: datetime
    place: str
    kind: str


class ProceedingDetailOut(ProceedingOut):
    defendants: list[DefendantOut]
    victims: list[VictimOut]
    hearings: list[HearingOut]
    days_in_stage: dict[str, int]


class ProceedingIn(InputSchema):
    prosecutor_office_id: int
    started_on: date
    stage: str = "investigation"
    court_id: int | None = None
    police_agency_id: int | None = None
    file_number: str = ""
    ex_officio: bool = True
    forms_of_exploitation: list[str] = []


class MoveIn(InputSchema):
    stage: str
    on: date
    version: int
    note: str = ""


class DefendantIn(InputSchema):
    sex: str
    offences: list[str]
    year_of_birth: int | None = None
    citizenship: list[str] = []


class OutcomeIn(InputSchema):
    outcome: str
    on: date
    version: int
    prison_months: int | None = None
    suspended: bool = False
    fine_eur: Decimal | None = None


class VictimLinkIn(InputSchema):
    case_code: str
    role: str = "injured_party"


class VictimIn(InputSchema):
    version: int
    role: str | None = None
    protective_measures: list[str] | None = None
    legal_aid: bool | None = None
    compensation_claimed_eur: Decimal | None = None
    compensation_awarded_eur: Decimal | None = None
    compensation_paid_eur: Decimal | None = None
    compensation_source: str | None = None
    prosecuted_for_offence: bool | None = None
    compelled_offence: str | None = None
    non_punishment_applied: bool | None = None


class HearingIn(InputSchema):
    at: datetime
    place: str
    kind: str = "hearing"


# A case's proceedings are answered as the selector's dataclass (StageForCaseworker).


def _detail(actor: User, pk: int) -> ProceedingDetailOut:
    d = selectors.proceeding_detail(actor=actor, pk=pk)
    p = d.proceeding
    return ProceedingDetailOut(
        id=p.pk,
        code=p.code,
        file_number=p.file_number,
        stage=p.stage,
        status=p.status,
        started_on=p.started_on,
        closed_on=p.closed_on,
        ex_officio=p.ex_officio,
        version=p.version,
        defendants=[
            DefendantOut(
                id=x.pk,
                code=x.code,
                sex=x.sex,
                year_of_birth=x.year_of_birth,
                outcome=x.outcome,
                prison_months=x.prison_months,
                version=x.version,
                charges=[
                    ChargeOut(
                        offence=c.offence.code,
                        initial_offence=c.initial_offence.code,
                        requalified=c.requalified,
                    )
                    for c in x.charges.all()
                ],
            )
            for x in d.defendants
        ],
        victims=[
            VictimOut(
                id=v.link.pk,
                case_code=v.case_code,
                identification_status=v.identification_status,
                role=v.link.role,
                protective_measures=v.link.protective_measures,
                legal_aid=v.link.legal_aid,
                compensation_claimed_eur=v.link.compensation_claimed_eur,
                compensation_awarded_eur=v.link.compensation_awarded_eur,
                compensation_paid_eur=v.link.compensation_paid_eur,
                non_punishment_applied=v.link.non_punishment_applied,
                version=v.link.version,
            )
            for v in d.victims
        ],
        hearings=[HearingOut(at=h.at, place=h.place, kind=h.kind) for h in d.hearings],
        days_in_stage=d.days_in_stage,
    )


def _editable(actor: User, pk: int) -> Proceeding:
    return selectors.proceeding_get(actor=actor, pk=pk)


@router.get("/proceedings", response=list[ProceedingOut])
@paginate
def proceedings(
    request: HttpRequest, stage: str = "", status: str = "", q: str = ""
) -> list[Proceeding]:
    actor = http.actor(request)
    if not policy.can(actor, "proceeding.view"):
        raise PermissionDeniedError(_("You do not have permission to see proceedings."))
    return list(
        selectors.proceeding_list(
            actor=actor, filters=selectors.ProceedingFilters(stage=stage, status=status, search=q)
        )
    )


@router.post("/proceedings", response={201: ProceedingDetailOut})
def proceeding_create(request: HttpRequest, payload: ProceedingIn) -> Status[ProceedingDetailOut]:
    actor = http.actor(request)

    def agency(pk: int | None, field: str) -> Agency | None:
        return account_selectors.agency_ref(pk, field=field) if pk else None

    proceeding = services.proceeding_create(
        actor=actor,
        prosecutor_office=account_selectors.agency_ref(
            payload.prosecutor_office_id, field="prosecutor_office_id"
        ),
        court=agency(payload.court_id, "court_id"),
        police_agency=agency(payload.police_agency_id, "police_agency_id"),
        started_on=payload.started_on,
        stage=payload.stage,
        file_number=payload.file_number,
        ex_officio=payload.ex_officio,
        forms_of_exploitation=payload.forms_of_exploitation,
    )
    return Status(201, _detail(actor, proceeding.pk))


@router.get("/proceedings/{proceeding_id}", response=ProceedingDetailOut)
def proceeding_detail(request: HttpRequest, proceeding_id: int) -> ProceedingDetailOut:
    actor = http.actor(request)
    if not policy.can(actor, "proceeding.view"):
        raise PermissionDeniedError(_("You do not have permission to see proceedings."))
    return _detail(actor, proceeding_id)


@router.post("/proceedings/{proceeding_id}/stage", response=ProceedingDetailOut)
def proceeding_move(
    request: HttpRequest, proceeding_id: int, payload: MoveIn
) -> ProceedingDetailOut:
    actor = http.actor(request)
    services.proceeding_move(
        actor=actor,
        proceeding=_editable(actor, proceeding_id),
        expected_version=payload.version,
        stage=payload.stage,
        on=payload.on,
        note=payload.note,
    )
    return _detail(actor, proceeding_id)


@router.post("/proceedings/{proceeding_id}/defendants", response={201: ProceedingDetailOut})
def defendant_add(
    request: HttpRequest, proceeding_id: int, payload: DefendantIn
) -> Status[ProceedingDetailOut]:
    actor = http.actor(request)
    services.defendant_add(
        actor=actor, proceeding=_editable(actor, proceeding_id), **payload.dict()
    )
    return Status(201, _detail(actor, proceeding_id))


@router.post(
    "/proceedings/{proceeding_id}/defendants/{defendant_id}/outcome", response=ProceedingDetailOut
)
def defendant_outcome(
    request: HttpRequest, proceeding_id: int, defendant_id: int, payload: OutcomeIn
) -> ProceedingDetailOut:
    actor = http.actor(request)
    defendant = selectors.defendant_get(proceeding=_editable(actor, proceeding_id), pk=defendant_id)
    data = payload.dict()
    services.defendant_record_outcome(
        actor=actor, defendant=defendant, expected_version=data.pop("version"), **data
    )
    return _detail(actor, proceeding_id)


@router.post("/proceedings/{proceeding_id}/victims", response={201: ProceedingDetailOut})
def victim_link(
    request: HttpRequest, proceeding_id: int, payload: VictimLinkIn
) -> Status[ProceedingDetailOut]:
    actor = http.actor(request)
    services.victim_link(
        actor=actor,
        proceeding=_editable(actor, proceeding_id),
        case_code=payload.case_code,
        role=payload.role,
    )
    return Status(201, _detail(actor, proceeding_id))


@router.patch("/proceedings/{proceeding_id}/victims/{link_id}", response=ProceedingDetailOut)
def victim_update(
    request: HttpRequest, proceeding_id: int, link_id: int, payload: VictimIn
) -> ProceedingDetailOut:
    actor = http.actor(request)
    link = selectors.victim_link_get(proceeding=_editable(actor, proceeding_id), pk=link_id)
    values = {k: v for k, v in payload.dict().items() if v is not None and k != "version"}
    if "non_punishment_applied" in payload.model_fields_set:
        values["non_punishment_applied"] = payload.non_punishment_applied
    services.victim_update(actor=actor, link=link, expected_version=payload.version, **values)
    return _detail(actor, proceeding_id)


@router.post("/proceedings/{proceeding_id}/hearings", response={201: ProceedingDetailOut})
def hearing_schedule(
    request: HttpRequest, proceeding_id: int, payload: HearingIn
) -> Status[ProceedingDetailOut]:
    actor = http.actor(request)
    services.hearing_schedule(
        actor=actor, proceeding=_editable(actor, proceeding_id), **payload.dict()
    )
    return Status(201, _detail(actor, proceeding_id))


@router.get("/cases/{path:case_code}/proceedings", response=list[selectors.StageForCaseworker])
def for_case(request: HttpRequest, case_code: str) -> list[selectors.StageForCaseworker]:
    actor = http.actor(request)
    case = selectors.case_for_stages(actor=actor, code=case_code)
    return selectors.proceedings_for_case(actor=actor, case=case)
