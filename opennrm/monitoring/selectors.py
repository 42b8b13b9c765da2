"""Every monitoring read users see: pages, the API, the CLI and generated reports share these.

All need ``monitoring.view`` (coordinators and the national co-ordinator); without it a queryset is
empty or PermissionDeniedError is raised. Live figures are computed here, at read time, through
``monitoring.metrics`` — the same call for the dashboard and for a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from opennrm.audit.services import record
from opennrm.core.errors import DomainError, NotFoundError
from opennrm.monitoring import metrics
from opennrm.monitoring.models import (
    Action,
    Activity,
    BudgetLine,
    FollowUp,
    GretaRecommendation,
    Indicator,
    IndicatorValue,
    Meeting,
    ProgressReport,
    RecommendationStatus,
    RenditionStatus,
    ReportRendition,
    Result,
    SpendingKind,
)
from opennrm.monitoring.rating import Light, burn_light, indicator_light, progress
from opennrm.statistics import published

VIEW = "monitoring.view"


def _not_found() -> NotFoundError:
    return NotFoundError(_("This monitoring record does not exist or you may not see it."))


# --- action and logframe ------------------------------------------------------------------------


def action_list(*, actor: User) -> QuerySet[Action]:
    """Actions, oldest first, with funders; empty without ``monitoring.view``."""
    return policy.scope(actor, Action.objects.prefetch_related("funders"), VIEW)


def action_current(*, actor: User) -> Action | None:
    """The action running today, else the latest one; None when there is none to see."""
    today = timezone.localdate()
    actions = action_list(actor=actor)
    return (
        actions.filter(starts_on__lte=today, ends_on__gte=today).first()
        or actions.order_by("-starts_on").first()
    )


@dataclass(frozen=True)
class IndicatorFigure:
    """An indicator with its value at the end of a period, and how it is doing."""

    indicator: Indicator
    actual: Decimal | None
    actual_display: str
    light: Light
    progress_percent: Decimal | None
    source: str
    live: bool
    # When a live value was computed, for a value read from the published figures (dashboard).
    counted_at: datetime | None = None


@dataclass(frozen=True)
class ResultFigures:
    result: Result
    indicators: list[IndicatorFigure]
    activities: list[Activity]


def _manual_value(indicator: Indicator, end: date) -> IndicatorValue | None:
    values = [v for v in indicator.values.all() if v.measured_on <= end]
    return values[-1] if values else None


def indicator_figure(
    *,
    actor: User,
    indicator: Indicator,
    start: date,
    end: date,
    elapsed: Decimal,
    kept: bool = False,
) -> IndicatorFigure:
    """The value of one indicator at ``end``: live from its metric, or the last entered value.

    A live metric the actor may not see, or one whose source is missing, shows no value rather
    than failing the whole page. ``kept``: a live value may come from the published figures
    (``metrics.evaluate_kept``; the dashboard), else it is computed now (reports, the API).
    Needs ``monitoring.view``.
    """
    policy.require(actor, VIEW)
    actual: Decimal | None
    withheld = False
    counted_at = None
    if indicator.metric:
        source = indicator.metric
        try:
            if kept:
                computed, counted_at = metrics.evaluate_kept(
                    indicator.metric, actor=actor, start=start, end=end
                )
            else:
                computed = metrics.evaluate(indicator.metric, actor=actor, start=start, end=end)
            actual, display = computed.value, computed.display
            withheld = computed.value is None and bool(computed.withheld_as)
        except DomainError:
            actual, display = None, "—"
    else:
        entry = _manual_value(indicator, end)
        actual = entry.value if entry else None
        display = metrics.format_number(entry.value) if entry else "—"
        source = entry.source if entry else ""
    light = indicator_light(
        baseline=indicator.baseline, target=indicator.target, actual=actual, elapsed=elapsed
    )
    if withheld:
        # The figure exists and is small: saying "no data" would misreport it.
        light = Light.WITHHELD
    done = None
    if actual is not None:
        done = (progress(indicator.baseline, indicator.target, actual) * 100).quantize(Decimal("1"))
    return IndicatorFigure(
        indicator=indicator,
        actual=actual,
        actual_display=display,
        light=light,
        progress_percent=done,
        source=source,
        live=bool(indicator.metric),
        counted_at=counted_at,
    )


def logframe(
    *, actor: User, action: Action, start: date, end: date, kept: bool = False
) -> list[ResultFigures]:
    """Results with their indicators' values at ``end`` and their activities (``kept``: live
    values may be read from the published figures, see ``indicator_figure``). Needs ``view``."""
    policy.require(actor, VIEW)
    elapsed = action.elapsed_share(end)
    results = action.results.prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("values")),
        "activities",
    )
    return [
        ResultFigures(
            result=result,
            indicators=[
                indicator_figure(
                    actor=actor,
                    indicator=indicator,
                    start=start,
                    end=end,
                    elapsed=elapsed,
                    kept=kept,
                )
                for indicator in result.indicators.all()
            ],
            activities=list(result.activities.all()),
        )
        for result in results
    ]


def indicator_get(*, actor: User, pk: int) -> Indicator:
    """One indicator with its result and action; NotFoundError when missing or not visible."""
    indicator = (
        policy.scope(actor, Indicator.objects.select_related("result__action"), VIEW)
        .filter(pk=pk)
        .first()
    )
    if indicator is None:
        raise _not_found()
    return indicator


def quarter_ends(start: date, end: date) -> list[date]:
    """Calendar quarter ends from ``start`` up to ``end`` (``end`` itself closes the list)."""
    points: list[date] = []
    year, quarter = start.year, (start.month - 1) // 3
    while True:
        month = quarter * 3 + 3
        last = date(year + (month // 12), month % 12 + 1, 1) - timedelta(days=1)
        if last >= end:
            break
        if last >= start:
            points.append(last)
        quarter += 1
        if quarter == 4:
            year, quarter = year + 1, 0
    points.append(end)
    return points


def indicator_trend(
    *, actor: User, action: Action, indicator: Indicator, end: date
) -> list[tuple[date, Decimal | None]]:
    """The indicator's value at each quarter end from the action's start to ``end``."""
    policy.require(actor, VIEW)
    return [
        (
            point,
            indicator_figure(
                actor=actor,
                indicator=indicator,
                start=action.starts_on,
                end=point,
                elapsed=action.elapsed_share(point),
            ).actual,
        )
        for point in quarter_ends(action.starts_on, end)
    ]


# --- budget -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetRow:
    label: str
    planned: Decimal
    committed: Decimal
    spent: Decimal

    @property
    def spent_percent(self) -> Decimal:
        return (
            (100 * self.spent / self.planned).quantize(Decimal("1")) if self.planned else Decimal(0)
        )


@dataclass(frozen=True)
class BudgetSummary:
    action: Action
    on: date
    rows: list[BudgetRow]  # one per result, plus "not linked to a result" when used
    total: BudgetRow
    elapsed_percent: Decimal
    light: Light
    burn: list[tuple[date, Decimal, Decimal]] = field(
        default_factory=list
    )  # (date, spent %, time %)


def budget_summary(*, actor: User, action: Action, on: date) -> BudgetSummary:
    """Planned, committed and spent by result up to ``on``; burn rate against time elapsed.

    Needs ``monitoring.view``.
    """
    policy.require(actor, VIEW)
    lines = BudgetLine.objects.filter(action=action).annotate(
        committed=Sum(
            "spendings__amount",
            filter=Q(spendings__kind=SpendingKind.COMMITMENT, spendings__booked_on__lte=on),
        ),
        spent=Sum(
            "spendings__amount",
            filter=Q(spendings__kind=SpendingKind.EXPENDITURE, spendings__booked_on__lte=on),
        ),
    )
    by_result: dict[int | None, list[Decimal]] = {}
    for line in lines:
        totals = by_result.setdefault(line.result_id, [Decimal(0)] * 3)
        totals[0] += line.amount
        totals[1] += line.committed or Decimal(0)
        totals[2] += line.spent or Decimal(0)
    rows: list[BudgetRow] = []
    for result in action.results.all():
        if result.pk in by_result:
            planned, committed, spent = by_result[result.pk]
            label = _("Result %(number)d") % {"number": result.number}
            rows.append(BudgetRow(label, planned, committed, spent))
    if None in by_result:
        planned, committed, spent = by_result[None]
        rows.append(BudgetRow(_("Management and other costs"), planned, committed, spent))
    total = BudgetRow(
        _("Total"),
        action.budget,
        sum((r.committed for r in rows), Decimal(0)),
        sum((r.spent for r in rows), Decimal(0)),
    )
    elapsed = action.elapsed_share(on)
    spent_share = total.spent / action.budget if action.budget else Decimal(0)
    burn: list[tuple[date, Decimal, Decimal]] = []
    for point in quarter_ends(action.starts_on, min(on, action.ends_on)):
        spent_then = BudgetLine.objects.filter(action=action).aggregate(
            s=Sum(
                "spendings__amount",
                filter=Q(spendings__kind=SpendingKind.EXPENDITURE, spendings__booked_on__lte=point),
            )
        )["s"] or Decimal(0)
        burn.append(
            (
                point,
                (100 * spent_then / action.budget).quantize(Decimal("0.1")),
                (100 * action.elapsed_share(point)).quantize(Decimal("0.1")),
            )
        )
    return BudgetSummary(
        action=action,
        on=on,
        rows=rows,
        total=total,
        elapsed_percent=(elapsed * 100).quantize(Decimal("0.1")),
        light=burn_light(spent_share=spent_share, elapsed=elapsed),
        burn=burn,
    )


# --- GRETA recommendations ----------------------------------------------------------------------


def recommendation_list(
    *, actor: User, status: str = "", theme: str = ""
) -> QuerySet[GretaRecommendation]:
    """The register, filtered by status and theme; empty without ``monitoring.view``."""
    recommendations = policy.scope(actor, GretaRecommendation.objects.all(), VIEW)
    if status:
        recommendations = recommendations.filter(status=status)
    if theme:
        recommendations = recommendations.filter(theme=theme)
    return recommendations.prefetch_related("responsible", "activities", "indicators")


def recommendation_export(
    *, actor: User, status: str = "", theme: str = ""
) -> QuerySet[GretaRecommendation]:
    """The register as ``recommendation_list`` filters it, for a download; audited here."""
    record(actor=actor, verb="monitoring.recommendation.export", purpose="download")
    return recommendation_list(actor=actor, status=status, theme=theme)


def recommendation_get(*, actor: User, pk: int) -> GretaRecommendation:
    """One recommendation; NotFoundError when missing or not visible."""
    recommendation = recommendation_list(actor=actor).filter(pk=pk).first()
    if recommendation is None:
        raise _not_found()
    return recommendation


def recommendation_statuses_on(*, actor: User, on: date) -> dict[int, str]:
    """{recommendation id: status} as it stood at the end of ``on``, for those registered by then.

    A status changed later is rolled back to the value it had before its first later change, as
    the audit trail of ``monitoring.recommendation.update`` records it (the service and the
    import both write it), so a report for a past period shows that period's register.
    Needs ``monitoring.view``.
    """
    policy.require(actor, VIEW)
    cutoff = datetime.combine(on + timedelta(days=1), time.min, tzinfo=get_current_timezone())
    status = dict(
        recommendation_list(actor=actor).filter(created_at__lt=cutoff).values_list("pk", "status")
    )
    later = AuditEntry.objects.filter(
        verb="monitoring.recommendation.update",
        target_type="monitoring.gretarecommendation",
        at__gte=cutoff,
    ).order_by("at", "pk")
    rolled_back: set[int] = set()
    for target_id, changes in later.values_list("target_id", "changes"):
        pk = int(target_id)
        if pk in status and pk not in rolled_back and "status" in (changes or {}):
            status[pk] = str(changes["status"][0])
            rolled_back.add(pk)
    return status


def recommendations_by_status(*, actor: User, on: date | None = None) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, zeros included; as of ``on`` when given.

    Needs ``monitoring.view``.
    """
    policy.require(actor, VIEW)
    counts = dict.fromkeys(RecommendationStatus.values, 0)
    statuses = (
        recommendation_list(actor=actor).values_list("status", flat=True)
        if on is None
        else recommendation_statuses_on(actor=actor, on=on).values()
    )
    for status in statuses:
        counts[status] += 1
    return [(value, str(label), counts[value]) for value, label in RecommendationStatus.choices]


# --- meetings and follow-ups --------------------------------------------------------------------


def meeting_list(*, actor: User) -> QuerySet[Meeting]:
    """Steering Committee meetings, latest first; empty without ``monitoring.view``."""
    return policy.scope(actor, Meeting.objects.all(), VIEW).prefetch_related(
        "participant_agencies", "decisions", "follow_ups__owner"
    )


def meeting_get(*, actor: User, pk: int) -> Meeting:
    """One meeting; NotFoundError when missing or not visible."""
    meeting = meeting_list(actor=actor).filter(pk=pk).first()
    if meeting is None:
        raise _not_found()
    return meeting


def last_meeting(*, actor: User, action: Action, on: date) -> Meeting | None:
    """The latest meeting held on or before ``on``."""
    return meeting_list(actor=actor).filter(action=action, held_on__lte=on).first()


def upcoming_meetings(*, actor: User, today: date | None = None) -> QuerySet[Meeting]:
    """Meetings from today on, soonest first."""
    today = today or timezone.localdate()
    return meeting_list(actor=actor).filter(held_on__gte=today).order_by("held_on")


def follow_up_list(
    *, actor: User, open_only: bool = True, owner: User | None = None
) -> QuerySet[FollowUp]:
    """Follow-up actions, by due date; empty without ``monitoring.view``."""
    follow_ups = policy.scope(actor, FollowUp.objects.select_related("owner", "meeting"), VIEW)
    if open_only:
        follow_ups = follow_ups.filter(done_at__isnull=True)
    if owner is not None:
        follow_ups = follow_ups.filter(owner=owner)
    return follow_ups.order_by("due_on", "id")


def follow_up_get(*, actor: User, pk: int) -> FollowUp:
    """One follow-up; NotFoundError when missing or not visible."""
    follow_up = follow_up_list(actor=actor, open_only=False).filter(pk=pk).first()
    if follow_up is None:
        raise _not_found()
    return follow_up


def overdue_follow_ups(*, actor: User, today: date | None = None) -> QuerySet[FollowUp]:
    """Open follow-ups past their due date."""
    today = today or timezone.localdate()
    return follow_up_list(actor=actor).filter(due_on__lt=today)


# --- reports ------------------------------------------------------------------------------------


def report_list(*, actor: User) -> QuerySet[ProgressReport]:
    """Progress reports, latest period first; empty without ``monitoring.view``."""
    return policy.scope(actor, ProgressReport.objects.select_related("action"), VIEW)


def report_get(*, actor: User, pk: int) -> ProgressReport:
    """One report; NotFoundError when missing or not visible."""
    report = report_list(actor=actor).filter(pk=pk).first()
    if report is None:
        raise _not_found()
    return report


def rendition_get(*, actor: User, report: ProgressReport, pk: int) -> ReportRendition:
    """One generated file of a report; NotFoundError when missing or not visible."""
    rendition = (
        policy.scope(actor, ReportRendition.objects.all(), VIEW)
        .filter(report=report, pk=pk)
        .first()
    )
    if rendition is None:
        raise _not_found()
    return rendition


def rendition_download(*, actor: User, report: ProgressReport, pk: int) -> ReportRendition:
    """A finished file of a report, for a download (audited here); NotFoundError while it is
    not generated yet, as when it does not exist."""
    rendition = rendition_get(actor=actor, report=report, pk=pk)
    if rendition.status != RenditionStatus.DONE or not rendition.file:
        raise _not_found()
    record(actor=actor, verb="monitoring.report.download", target=rendition)
    return rendition


@dataclass(frozen=True)
class ReportData:
    """Everything a progress report shows, computed at generation time."""

    report: ProgressReport
    action: Action
    logframe: list[ResultFigures]
    trends: dict[int, list[tuple[date, Decimal | None]]]  # indicator id -> points
    budget: BudgetSummary
    recommendations: list[GretaRecommendation]
    recommendations_by_status: list[tuple[str, str, int]]
    meeting: Meeting | None
    open_follow_ups: list[FollowUp]
    generated_on: date


def report_data(*, actor: User, report: ProgressReport) -> ReportData:
    """The figures of a report for its period, as ``actor`` may see them. Needs ``view``."""
    policy.require(actor, VIEW)
    action = report.action
    start, end = report.period_start, report.period_end
    # A report states the day it was generated: its released figures are counted now, never
    # read from the pages' published figures (statistics.published).
    with published.afresh():
        frame = logframe(actor=actor, action=action, start=start, end=end)
        trends = {
            figure.indicator.pk: indicator_trend(
                actor=actor, action=action, indicator=figure.indicator, end=end
            )
            for result in frame
            for figure in result.indicators
            if figure.indicator.unit == "percent"
        }
    meeting = last_meeting(actor=actor, action=action, on=end)
    follow_ups = (
        list(follow_up_list(actor=actor).filter(meeting=meeting)) if meeting is not None else []
    )
    return ReportData(
        report=report,
        action=action,
        logframe=frame,
        trends=trends,
        budget=budget_summary(actor=actor, action=action, on=end),
        recommendations=list(recommendation_list(actor=actor)),
        recommendations_by_status=recommendations_by_status(actor=actor, on=end),
        meeting=meeting,
        open_follow_ups=follow_ups,
        generated_on=timezone.localdate(),
    )
