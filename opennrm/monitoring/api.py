"""Monitoring API (/api/v1/monitoring/): logframe with live figures, budget, recommendations,
meetings, follow-ups and report generation. Reads need ``monitoring.view``, writes
``monitoring.edit``; errors use the one format of ``core.restapi``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from opennrm.accounts import policy
from opennrm.accounts import selectors as account_selectors
from opennrm.accounts.models import User
from opennrm.core import http
from opennrm.core.apischemas import InputSchema, VersionIn
from opennrm.core.errors import NotFoundError
from opennrm.monitoring import selectors, services
from opennrm.monitoring.models import (
    Action,
    FollowUp,
    GretaRecommendation,
    Meeting,
    ReportRendition,
)

router = Router(tags=["monitoring"])


class LogframeIndicatorOut(Schema):
    id: int
    code: str
    definition: str
    unit: str
    baseline: Decimal
    target: Decimal
    actual: Decimal | None
    actual_display: str
    status: str
    live_metric: str


class LogframeResultOut(Schema):
    number: int
    title: str
    indicators: list[LogframeIndicatorOut]


class FunderOut(Schema):
    name: str
    share: Decimal


class LogframeOut(Schema):
    action: str
    programme: str
    starts_on: date
    ends_on: date
    budget: Decimal
    currency: str
    funders: list[FunderOut]
    on: date
    results: list[LogframeResultOut]


class BudgetOut(Schema):
    on: date
    rows: list[selectors.BudgetRow]  # the selector's dataclass, published as it is
    total: selectors.BudgetRow
    elapsed_percent: Decimal
    status: str


class RecommendationOut(Schema):
    id: int
    version: int
    round: int
    report: str
    paragraph: str
    text: str
    strength: str
    theme: str
    status: str
    evidence: str
    note: str
    responsible: list[str]


class RecommendationPatch(InputSchema):
    version: int
    status: str
    evidence: str = ""


class FollowUpOut(Schema):
    id: int
    version: int
    meeting_id: int
    text: str
    owner: str
    due_on: date
    done: bool
    overdue: bool


class MeetingOut(Schema):
    id: int
    held_on: date
    place: str
    title: str
    participants: list[str]
    decisions: list[str]
    follow_ups: list[FollowUpOut]


class MeetingIn(InputSchema):
    held_on: date
    place: str
    title: str
    participant_agency_ids: list[int] = []
    participants: str = ""
    agenda: str = ""
    minutes: str = ""


class DecisionIn(InputSchema):
    text: str


class FollowUpIn(InputSchema):
    text: str
    owner: str  # username
    due_on: date


class IndicatorValueIn(InputSchema):
    measured_on: date
    value: Decimal
    source: str


class IndicatorValueOut(Schema):
    id: int
    indicator_id: int
    measured_on: date
    value: Decimal
    source: str


class ReportIn(InputSchema):
    period_start: date
    period_end: date
    title: str
    summary: str = ""
    challenges: str = ""
    next_steps: str = ""


class ReportOut(Schema):
    id: int
    version: int
    title: str
    period_start: date
    period_end: date


class GenerateIn(InputSchema):
    format: str
    language: str = "en"


class RenditionOut(Schema):
    id: int
    report_id: int
    format: str
    language: str
    status: str
    progress: int
    # Why the file was not made (failed): that the worker stopped with it, or to try again.
    error: str
    download_url: str | None


def _action(user: User) -> Action:
    action = selectors.action_current(actor=user)
    if action is None:
        policy.require(user, "monitoring.view")
        raise NotFoundError(_("There is no action to report on."))
    return action


@router.get("/logframe", response=LogframeOut)
def logframe(request: HttpRequest, on: date | None = None) -> LogframeOut:
    """The logframe with each indicator's value on ``on`` (default today), computed now."""
    user = http.actor(request)
    action = _action(user)
    on = on or min(timezone.localdate(), action.ends_on)
    frame = selectors.logframe(actor=user, action=action, start=action.starts_on, end=on)
    return LogframeOut(
        action=action.title,
        programme=action.programme,
        starts_on=action.starts_on,
        ends_on=action.ends_on,
        budget=action.budget,
        currency=action.currency,
        funders=[FunderOut(name=f.name, share=f.share) for f in action.funders.all()],
        on=on,
        results=[
            LogframeResultOut(
                number=r.result.number,
                title=r.result.title,
                indicators=[
                    LogframeIndicatorOut(
                        id=f.indicator.pk,
                        code=f.indicator.code,
                        definition=f.indicator.definition,
                        unit=f.indicator.unit,
                        baseline=f.indicator.baseline,
                        target=f.indicator.target,
                        actual=f.actual,
                        actual_display=f.actual_display,
                        status=f.light.value,
                        live_metric=f.indicator.metric,
                    )
                    for f in r.indicators
                ],
            )
            for r in frame
        ],
    )


@router.get("/budget", response=BudgetOut)
def budget(request: HttpRequest, on: date | None = None) -> BudgetOut:
    """Planned, committed and spent by result, and burn against time elapsed."""
    user = http.actor(request)
    action = _action(user)
    summary = selectors.budget_summary(
        actor=user, action=action, on=on or min(timezone.localdate(), action.ends_on)
    )

    return BudgetOut(
        on=summary.on,
        rows=summary.rows,
        total=summary.total,
        elapsed_percent=summary.elapsed_percent,
        status=summary.light.value,
    )


def _recommendation(rec: GretaRecommendation) -> RecommendationOut:
    return RecommendationOut(
        id=rec.pk,
        version=rec.version,
        round=rec.round,
        report=rec.report,
        paragraph=rec.paragraph,
        text=rec.text,
        strength=rec.strength,
        theme=rec.theme,
        status=rec.status,
        evidence=rec.evidence,
        note=rec.note,
        responsible=[a.short_name or a.name for a in rec.responsible.all()],
    )


@router.get("/recommendations", response=list[RecommendationOut])
@paginate
def recommendations(
    request: HttpRequest, status: str = "", theme: str = ""
) -> list[RecommendationOut]:
    """The GRETA recommendations register, filtered by status and theme."""
    user = http.actor(request)
    policy.require(user, "monitoring.view")
    rows = selectors.recommendation_list(actor=user, status=status, theme=theme)
    return [_recommendation(rec) for rec in rows]


@router.patch("/recommendations/{pk}", response=RecommendationOut)
def recommendation_patch(
    request: HttpRequest, pk: int, payload: RecommendationPatch
) -> RecommendationOut:
    """Change a recommendation's status and evidence; 409 when ``version`` is stale."""
    user = http.actor(request)
    rec = selectors.recommendation_get(actor=user, pk=pk)
    rec = services.recommendation_update(
        actor=user,
        recommendation=rec,
        expected_version=payload.version,
        status=payload.status,
        evidence=payload.evidence,
    )
    return _recommendation(rec)


def _follow_up(follow_up: FollowUp, today: date) -> FollowUpOut:
    return FollowUpOut(
        id=follow_up.pk,
        version=follow_up.version,
        meeting_id=follow_up.meeting_id,
        text=follow_up.text,
        owner=follow_up.owner.username,
        due_on=follow_up.due_on,
        done=follow_up.done_at is not None,
        overdue=follow_up.is_overdue(today),
    )


def _meeting(meeting: Meeting, today: date) -> MeetingOut:
    return MeetingOut(
        id=meeting.pk,
        held_on=meeting.held_on,
        place=meeting.place,
        title=meeting.title,
        participants=[a.short_name or a.name for a in meeting.participant_agencies.all()],
        decisions=[d.text for d in meeting.decisions.all()],
        follow_ups=[_follow_up(f, today) for f in meeting.follow_ups.all()],
    )


@router.get("/meetings", response=list[MeetingOut])
@paginate
def meetings(request: HttpRequest) -> list[MeetingOut]:
    """Steering Committee meetings, latest first, with decisions and follow-ups."""
    user = http.actor(request)
    policy.require(user, "monitoring.view")
    today = timezone.localdate()
    return [_meeting(m, today) for m in selectors.meeting_list(actor=user)]


@router.post("/meetings", response={201: MeetingOut})
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Status[MeetingOut]:
    """Record a Steering Committee meeting of the current action."""
    user = http.actor(request)
    policy.require(user, "monitoring.edit")
    data = payload.dict()
    agencies = account_selectors.agency_refs(
        data.pop("participant_agency_ids"), field="participant_agency_ids"
    )
    meeting = services.meeting_create(
        actor=user, action=_action(user), participant_agencies=agencies, **data
    )
    return Status(201, _meeting(meeting, timezone.localdate()))


@router.post("/meetings/{pk}/decisions", response={201: MeetingOut})
def decision_create(request: HttpRequest, pk: int, payload: DecisionIn) -> Status[MeetingOut]:
    """Add the next numbered decision to a meeting."""
    user = http.actor(request)
    meeting = selectors.meeting_get(actor=user, pk=pk)
    services.decision_add(actor=user, meeting=meeting, text=payload.text)
    return Status(201, _meeting(selectors.meeting_get(actor=user, pk=pk), timezone.localdate()))


@router.post("/meetings/{pk}/follow-ups", response={201: FollowUpOut})
def follow_up_create(request: HttpRequest, pk: int, payload: FollowUpIn) -> Status[FollowUpOut]:
    """Assign a follow-up action from a meeting; the owner must be able to see monitoring."""
    user = http.actor(request)
    meeting = selectors.meeting_get(actor=user, pk=pk)
    policy.require(user, "monitoring.edit")
    owner = account_selectors.user_ref(username=payload.owner, field="owner")
    follow_up = services.follow_up_create(
        actor=user, meeting=meeting, text=payload.text, owner=owner, due_on=payload.due_on
    )
    return Status(201, _follow_up(follow_up, timezone.localdate()))


@router.post("/indicators/{pk}/values", response={201: IndicatorValueOut})
def indicator_value_create(
    request: HttpRequest, pk: int, payload: IndicatorValueIn
) -> Status[IndicatorValueOut]:
    """Enter a value of a manual indicator (409 for a live one); evidence files via the page."""
    user = http.actor(request)
    indicator = selectors.indicator_get(actor=user, pk=pk)
    entry = services.indicator_value_record(
        actor=user,
        indicator=indicator,
        measured_on=payload.measured_on,
        value=payload.value,
        source=payload.source,
    )
    return Status(
        201,
        IndicatorValueOut(
            id=entry.pk,
            indicator_id=indicator.pk,
            measured_on=entry.measured_on,
            value=entry.value,
            source=entry.source,
        ),
    )


@router.get("/follow-ups", response=list[FollowUpOut])
@paginate
def follow_ups(
    request: HttpRequest, mine: bool = False, overdue: bool = False
) -> list[FollowUpOut]:
    """Open follow-up actions (``mine`` for the caller's own, ``overdue`` for late ones)."""
    user = http.actor(request)
    policy.require(user, "monitoring.view")
    today = timezone.localdate()
    rows = (
        selectors.overdue_follow_ups(actor=user, today=today)
        if overdue
        else selectors.follow_up_list(actor=user)
    )
    if mine:
        rows = rows.filter(owner=user)
    return [_follow_up(f, today) for f in rows]


@router.post("/follow-ups/{pk}/done", response=FollowUpOut)
def follow_up_done(request: HttpRequest, pk: int, payload: VersionIn) -> FollowUpOut:
    """Mark a follow-up done (its owner or an editor); 409 when stale or already done."""
    user = http.actor(request)
    follow_up = selectors.follow_up_get(actor=user, pk=pk)
    follow_up = services.follow_up_complete(
        actor=user, follow_up=follow_up, expected_version=payload.version
    )
    return _follow_up(follow_up, timezone.localdate())


@router.post("/reports", response={201: ReportOut})
def report_create(request: HttpRequest, payload: ReportIn) -> Status[ReportOut]:
    """Start a progress report for a period of the current action."""
    user = http.actor(request)
    policy.require(user, "monitoring.edit")
    report = services.report_create(actor=user, action=_action(user), **payload.dict())
    return Status(
        201,
        ReportOut(
            id=report.pk,
            version=report.version,
            title=report.title,
            period_start=report.period_start,
            period_end=report.period_end,
        ),
    )


def _rendition(rendition: ReportRendition) -> RenditionOut:
    from django.urls import reverse

    url = None
    if rendition.status == "done":
        url = reverse("monitoring:rendition_download", args=[rendition.report_id, rendition.pk])
    return RenditionOut(
        id=rendition.pk,
        report_id=rendition.report_id,
        format=rendition.format,
        language=rendition.language,
        status=rendition.state,
        progress=rendition.progress,
        error=rendition.problem,
        download_url=url,
    )


@router.post("/reports/{pk}/files", response={202: RenditionOut})
def report_generate(request: HttpRequest, pk: int, payload: GenerateIn) -> Status[RenditionOut]:
    """Queue a DOCX, PDF or HTML file of the report; poll the returned file for its status."""
    user = http.actor(request)
    report = selectors.report_get(actor=user, pk=pk)
    rendition = services.rendition_request(
        actor=user, report=report, format=payload.format, language=payload.language
    )
    rendition.refresh_from_db()
    return Status(202, _rendition(rendition))


@router.get("/reports/{pk}/files/{file_pk}", response=RenditionOut)
def report_file(request: HttpRequest, pk: int, file_pk: int) -> RenditionOut:
    """A generated file's status, progress and download address."""
    user = http.actor(request)
    report = selectors.report_get(actor=user, pk=pk)
    return _rendition(selectors.rendition_get(actor=user, report=report, pk=file_pk))
