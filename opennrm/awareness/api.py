"""Awareness API (/api/v1/awareness/): grants, campaigns, their reach, and reach reporting."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from opennrm.accounts import policy
from opennrm.accounts import selectors as account_selectors
from opennrm.accounts.models import User
from opennrm.awareness import selectors, services
from opennrm.awareness.models import Campaign, Grant
from opennrm.core import http
from opennrm.core.apischemas import InputSchema

router = Router(tags=["awareness"])


def _viewer(request: HttpRequest) -> User:
    """The caller, who needs ``awareness.view`` for anything under this router (else 403)."""
    return policy.require(http.actor(request), "awareness.view")


class GrantOut(Schema):
    code: str
    title: str
    grantee: str
    amount: Decimal
    currency: str
    start: date
    end: date
    status: str
    campaigns: int
    reports_open: int
    version: int


class GrantIn(InputSchema):
    code: str
    title: str
    grantee_id: int
    amount: Decimal
    currency: str = "EUR"
    start: date
    end: date
    status: str = "planned"
    reports_due: list[tuple[str, date]] = []


class CampaignOut(Schema):
    code: str
    title: str
    topic: str
    audience: str
    channels: list[str]
    start: date
    end: date
    status: str
    grant: str | None
    people_reached: int
    events_held: int
    materials_distributed: int
    hotline_calls: int
    version: int


class CampaignIn(InputSchema):
    code: str
    title: str
    topic: str
    audience: str
    channels: list[str]
    start: date
    end: date
    status: str = "planned"
    grant_code: str | None = None


class ReachIn(Schema):
    on: date
    people_reached: int = 0
    events_held: int = 0
    materials_distributed: int = 0
    hotline_calls: int = 0


# The reach figures are answered as the selector's dataclass (ReachFigures).


def _grant_out(g: Grant) -> GrantOut:
    return GrantOut(
        code=g.code,
        title=g.title,
        grantee=g.grantee.name,
        amount=g.amount,
        currency=g.currency,
        start=g.start,
        end=g.end,
        status=g.status,
        campaigns=getattr(g, "campaign_count", 0),
        reports_open=getattr(g, "reports_open", 0),
        version=g.version,
    )


def _campaign_out(c: Campaign) -> CampaignOut:
    return CampaignOut(
        code=c.code,
        title=c.title,
        topic=c.topic,
        audience=c.audience,
        channels=c.channels,
        start=c.start,
        end=c.end,
        status=c.status,
        grant=c.grant.code if c.grant else None,
        people_reached=getattr(c, "people_reached", 0),
        events_held=getattr(c, "events_held", 0),
        materials_distributed=getattr(c, "materials_distributed", 0),
        hotline_calls=getattr(c, "hotline_calls", 0),
        version=c.version,
    )


@router.get("/grants", response=list[GrantOut])
@paginate
def grant_list(request: HttpRequest) -> list[GrantOut]:
    return [_grant_out(g) for g in selectors.grant_list(actor=_viewer(request))]


@router.post("/grants", response={201: GrantOut})
def grant_create(request: HttpRequest, payload: GrantIn) -> Status[GrantOut]:
    user = _viewer(request)
    grantee = account_selectors.agency_ref(payload.grantee_id, field="grantee_id")
    grant = services.grant_create(
        actor=user,
        code=payload.code,
        title=payload.title,
        grantee=grantee,
        amount=payload.amount,
        currency=payload.currency,
        start=payload.start,
        end=payload.end,
        status=payload.status,
        reports_due=payload.reports_due,
    )
    return Status(201, _grant_out(selectors.grant_get(actor=user, code=grant.code)))


@router.get("/campaigns", response=list[CampaignOut])
@paginate
def campaign_list(request: HttpRequest) -> list[CampaignOut]:
    return [_campaign_out(c) for c in selectors.campaign_list(actor=_viewer(request))]


@router.post("/campaigns", response={201: CampaignOut})
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Status[CampaignOut]:
    user = _viewer(request)
    grant = selectors.grant_get(actor=user, code=payload.grant_code) if payload.grant_code else None
    campaign = services.campaign_create(
        actor=user,
        code=payload.code,
        title=payload.title,
        topic=payload.topic,
        audience=payload.audience,
        channels=payload.channels,
        start=payload.start,
        end=payload.end,
        status=payload.status,
        grant=grant,
    )
    return Status(201, _campaign_out(selectors.campaign_get(actor=user, code=campaign.code)))


@router.post("/campaigns/{code}/reach", response={201: CampaignOut})
def reach_report(request: HttpRequest, code: str, payload: ReachIn) -> Status[CampaignOut]:
    user = _viewer(request)
    campaign = selectors.campaign_get(actor=user, code=code)
    services.reach_report(
        actor=user,
        campaign=campaign,
        on=payload.on,
        people_reached=payload.people_reached,
        events_held=payload.events_held,
        materials_distributed=payload.materials_distributed,
        hotline_calls=payload.hotline_calls,
    )
    return Status(201, _campaign_out(selectors.campaign_get(actor=user, code=code)))


@router.get("/reach", response=selectors.ReachFigures)
def reach(request: HttpRequest, start: date, end: date) -> selectors.ReachFigures:
    return selectors.campaign_reach(actor=_viewer(request), start=start, end=end)
