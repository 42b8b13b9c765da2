"""Reads of grants and campaigns, each checked against ``accounts.policy``.

Stable contract for the monitoring app: ``campaign_reach`` (aggregates only; ``awareness.view``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.awareness.models import Campaign, CampaignStatus, Grant, GrantReport, ReachReport
from opennrm.core.errors import NotFoundError, ValidationFailed

VIEW = "awareness.view"


@dataclass(frozen=True)
class ReachFigures:
    """Campaigns active in a period and the reach they reported for it."""

    start: date
    end: date
    campaigns: int
    people_reached: int
    events: int
    materials: int
    hotline_calls: int


def grant_list(*, actor: User) -> QuerySet[Grant]:
    """Grants to CSOs with the number of campaigns and of reports still due; ``awareness.view``."""
    return (
        policy.scope(actor, Grant.objects.select_related("grantee"), VIEW)
        .annotate(
            campaign_count=Count("campaigns", distinct=True),
            reports_open=Count(
                "reports", filter=Q(reports__submitted_on__isnull=True), distinct=True
            ),
        )
        .order_by("-start", "code")
    )


def grant_get(*, actor: User, code: str) -> Grant:
    """One grant by code; NotFoundError when missing or not visible to ``actor``."""
    grant = grant_list(actor=actor).filter(code=code).first()
    if grant is None:
        raise NotFoundError(_not_found())
    return grant


def grant_report_list(*, actor: User, grant: Grant) -> QuerySet[GrantReport]:
    """The reports due under one grant, by due date; ``awareness.view``."""
    return policy.scope(actor, GrantReport.objects.filter(grant=grant), VIEW).order_by("due_on")


def campaign_list(*, actor: User) -> QuerySet[Campaign]:
    """Campaigns with their total reported reach; ``awareness.view`` (else empty)."""
    return (
        policy.scope(actor, Campaign.objects.select_related("grant", "grant__grantee"), VIEW)
        .annotate(
            people_reached=Sum("reach_reports__people_reached", default=0),
            events_held=Sum("reach_reports__events_held", default=0),
            materials_distributed=Sum("reach_reports__materials_distributed", default=0),
            hotline_calls=Sum("reach_reports__hotline_calls", default=0),
        )
        .order_by("-start", "code")
    )


def campaign_get(*, actor: User, code: str) -> Campaign:
    """One campaign by code with its reach totals; NotFoundError when missing or not visible."""
    campaign = campaign_list(actor=actor).filter(code=code).first()
    if campaign is None:
        raise NotFoundError(_not_found())
    return campaign


def reach_report_list(*, actor: User, campaign: Campaign) -> QuerySet[ReachReport]:
    """A campaign's reach reports by period; ``awareness.view``."""
    return policy.scope(actor, ReachReport.objects.filter(campaign=campaign), VIEW).order_by("on")


def campaign_reach(
    *, actor: User, start: date, end: date, grant_based: bool = False
) -> ReachFigures:
    """Reach of awareness campaigns between ``start`` and ``end`` (both inclusive).

    ``campaigns`` counts campaigns active in the period: their dates overlap it and they left the
    planning stage or reported reach within it (a campaign still planned, with nothing reported,
    has run nowhere); with ``grant_based``, only those
    funded by a grant. The four reach figures add up the reach reports whose period ends within
    the dates. Contract for monitoring. Needs ``awareness.view`` (PermissionDeniedError
    otherwise); ValidationFailed if ``end < start``.
    """
    policy.require(actor, VIEW)
    if end < start:
        raise ValidationFailed(
            _("The end of the period must not be before its start."),
            fields={"end": _("The end must be on or after the start.")},
        )
    campaigns = policy.scope(actor, Campaign.objects.all(), VIEW)
    reported = ReachReport.objects.filter(campaign=OuterRef("pk"), on__gte=start, on__lte=end)
    active = campaigns.filter(start__lte=end, end__gte=start).filter(
        ~Q(status=CampaignStatus.PLANNED) | Exists(reported)
    )
    if grant_based:
        active = active.filter(grant__isnull=False)
    overlapping = active.count()
    totals = policy.scope(
        actor, ReachReport.objects.filter(on__gte=start, on__lte=end), VIEW
    ).aggregate(
        people=Sum("people_reached", default=0),
        events=Sum("events_held", default=0),
        materials=Sum("materials_distributed", default=0),
        calls=Sum("hotline_calls", default=0),
    )
    return ReachFigures(
        start=start,
        end=end,
        campaigns=overlapping,
        people_reached=int(totals["people"]),
        events=int(totals["events"]),
        materials=int(totals["materials"]),
        hotline_calls=int(totals["calls"]),
    )


def _not_found() -> str:
    return _("This awareness record does not exist or you may not see it.")


def grant_reports_due(*, actor: User, until: date) -> QuerySet[GrantReport]:
    """Grant reports not yet received and due by ``until`` (overdue ones first); ``awareness.view``."""
    return (
        policy.scope(actor, GrantReport.objects.select_related("grant", "grant__grantee"), VIEW)
        .filter(submitted_on__isnull=True, due_on__lte=until)
        .order_by("due_on", "pk")
    )
