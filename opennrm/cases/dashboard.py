"""What needs me today: the open deadlines of one user, for the home page, the API and the digest.

``deadline_list`` is the one selector: the home-page panel, ``GET /api/v1/cases/deadlines`` and the
daily reminder digest all read it, so a deadline cannot show in one place and be missing in
another. It reads only records the user may see (``accounts.policy.scope``) and keeps only the
deadlines the user is responsible for (``deadlines`` module): the receiving agency's case managers
for unacknowledged referrals, the caseworker (or, with none assigned, the lead agency's case
managers) for case deadlines, the provider agency for unanswered service requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.cases import deadlines as rules
from opennrm.cases.deadlines import Deadline, DeadlineKind
from opennrm.cases.models import Case, IdentificationDecision, Referral, ServiceRequest
from opennrm.cases.vocab import ReferralStatus, ServiceStatus, ServiceType
from opennrm.core.http import actor

KIND_LABELS = {
    DeadlineKind.REFERRAL_ACK: _("Referral to acknowledge"),
    DeadlineKind.IDENTIFICATION_DECISION: _("Identification decision due"),
    DeadlineKind.RECOVERY_PERIOD_END: _("Recovery and reflection period ends"),
    DeadlineKind.SERVICE_RESPONSE: _("Service request to answer"),
}
# A caseload is bounded, but a wrongly assigned bulk import must not make the home page crawl.
MAX_PER_KIND = 500
PANEL_ROWS = 10


@dataclass(frozen=True)
class DeadlineRow:
    """A deadline as the user sees it: what, which record, when, and whether it is late."""

    deadline: Deadline
    overdue: bool
    fired: bool

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.deadline.kind])

    @property
    def url(self) -> str:
        """Where to act: the referral, the case, or, for a service request, the case page where
        the provider accepts or declines it (not the inbox: issue 20, straight to the item)."""
        deadline = self.deadline
        if deadline.record_type == "referral":
            return reverse("cases:referral_detail", args=[deadline.record_id])
        if deadline.record_type == "service_request" and deadline.case_id is not None:
            return reverse("cases:case_detail", args=[deadline.case_id])
        return reverse("cases:case_detail", args=[deadline.record_id])


def _start_of(day: Any) -> datetime:
    """The first instant of a calendar day where the people work (the platform's time zone)."""
    return datetime.combine(day, time.min, tzinfo=rules.LOCAL_TIME_ZONE)


def _local_date(moment: datetime) -> Any:
    """The calendar day ``moment`` falls on where the people work (not in UTC)."""
    return moment.astimezone(rules.LOCAL_TIME_ZONE).date()


def _referral_deadlines(actor: User, now: datetime) -> list[Deadline]:
    if not policy.can(actor, "referral.decide") or actor.agency_id is None:
        return []
    queryset = policy.scope(
        actor,
        Referral.objects.filter(status=ReferralStatus.SENT, to_agency_id=actor.agency_id),
        "referral.decide",
    )
    found = []
    for row in queryset.order_by("sent_at").values("id", "sent_at", "to_agency_id", "case_id")[
        :MAX_PER_KIND
    ]:
        deadline = rules.referral_deadline(
            rules.ReferralFacts(
                id=row["id"],
                code=f"R-{row['id']}",
                status=ReferralStatus.SENT,
                sent_at=row["sent_at"],
                to_agency_id=row["to_agency_id"],
                case_id=row["case_id"],
            )
        )
        if deadline is not None:
            found.append(deadline)
    return found


def _case_deadlines(actor: User, now: datetime) -> list[Deadline]:
    if not policy.can(actor, "case.edit"):
        return []
    mine = Q(caseworker_id=actor.pk)
    if actor.agency_id is not None:
        mine |= Q(caseworker__isnull=True, lead_agency_id=actor.agency_id)
    horizon = now + rules.DASHBOARD_HORIZON
    cutoff = horizon - rules.IDENTIFICATION_DECISION_WINDOW
    mine_in_scope = policy.scope(actor, Case.objects.all(), "case.view").filter(mine)
    # Two simple queries rather than one OR: each can walk its own index (status + opening
    # date; end of the reflection period) instead of the whole caseload.
    # A record imported from a legacy file owes its decision from the day it was imported, not
    # from its file's dates (which would make every old open case overdue since years).
    pending = mine_in_scope.filter(
        (
            Q(imported_at__isnull=True)
            & (
                Q(referral__acknowledged_at__lte=cutoff)
                | Q(referral__isnull=True, opened_on__lte=_local_date(cutoff))
            )
        )
        | Q(imported_at__lte=cutoff),
        status__in=rules.PENDING_DECISION_STATES,
    ).order_by("opened_on", "id")
    ending = mine_in_scope.filter(
        status__in=rules.RECOVERY_STATES,
        reflection_period_end__gte=_local_date(now),
        reflection_period_end__lte=_local_date(horizon + rules.RECOVERY_WARNING_WINDOW),
    ).order_by("reflection_period_end", "id")
    columns = (
        "id",
        "code",
        "status",
        "lead_agency_id",
        "caseworker_id",
        "opened_on",
        "referral__acknowledged_at",
        "decided",
        "reflection_period_end",
        "imported_at",
    )
    decided = Exists(IdentificationDecision.objects.filter(case_id=OuterRef("pk")))
    rows: dict[int, dict[str, Any]] = {}
    for queryset in (pending, ending):
        for row in queryset.annotate(decided=decided).values(*columns)[:MAX_PER_KIND]:
            rows[row["id"]] = row
    found: list[Deadline] = []
    for row in rows.values():
        acknowledged = row["imported_at"] or (
            row["referral__acknowledged_at"] or _start_of(row["opened_on"])
        )
        facts = rules.CaseFacts(
            id=row["id"],
            code=row["code"],
            status=row["status"],
            lead_agency_id=row["lead_agency_id"],
            caseworker_id=row["caseworker_id"],
            acknowledged_at=acknowledged,
            identification_decided=row["decided"],
            recovery_period_end=row["reflection_period_end"],
        )
        found.extend(rules.case_deadlines(facts, now=now))
    return found


def _service_deadlines(actor: User, now: datetime) -> list[Deadline]:
    if not policy.can(actor, "service.update") or actor.agency_id is None:
        return []
    queryset = policy.scope(
        actor,
        ServiceRequest.objects.filter(
            status=ServiceStatus.REQUESTED, provider_agency_id=actor.agency_id
        ),
        "service.update",
    )
    found = []
    for row in queryset.order_by("requested_at").values(
        "id", "requested_at", "provider_agency_id", "case_id", "case__code"
    )[:MAX_PER_KIND]:
        deadline = rules.service_deadline(
            rules.ServiceRequestFacts(
                id=row["id"],
                code=row["case__code"],
                status=ServiceStatus.REQUESTED,
                requested_at=row["requested_at"],
                provider_agency_id=row["provider_agency_id"],
                case_id=row["case_id"],
            )
        )
        if deadline is not None:
            found.append(deadline)
    return found


def deadline_list(*, actor: User, now: datetime | None = None) -> list[DeadlineRow]:
    """The open deadlines ``actor`` must act on and may see, soonest due first.

    Only deadlines already visible at ``now`` (``Deadline.is_visible``) are returned. Assumes no
    permission beyond sign-in: each kind is read only when the actor holds its action
    (``referral.decide``, ``case.edit``, ``service.update``), through ``policy.scope``.
    """
    now = now or timezone.now()
    found = [
        *_referral_deadlines(actor, now),
        *_case_deadlines(actor, now),
        *_service_deadlines(actor, now),
    ]
    return [
        DeadlineRow(deadline=d, overdue=d.is_overdue(now), fired=d.fires(now))
        for d in rules.sort_deadlines(found)
        if d.is_visible(now)
    ]


@dataclass(frozen=True)
class ServiceToStart:
    """An accepted service request of the provider's agency that has not started yet."""

    id: int
    case_id: int
    code: str
    service_type: str
    accepted_at: datetime | None

    @property
    def label(self) -> str:
        return str(ServiceType(self.service_type).label)

    @property
    def url(self) -> str:
        return reverse("cases:case_detail", args=[self.case_id])


def services_to_start(*, actor: User, limit: int = PANEL_ROWS) -> tuple[list[ServiceToStart], int]:
    """The provider agency's accepted, not yet started service requests, longest waiting first,
    and how many there are: the ``provider_agency, status`` index, codes only (no names)."""
    if not policy.can(actor, "service.update") or actor.agency_id is None:
        return [], 0
    queryset = policy.scope(
        actor,
        ServiceRequest.objects.filter(
            status=ServiceStatus.ACCEPTED, provider_agency_id=actor.agency_id
        ),
        "service.update",
    )
    rows = [
        ServiceToStart(
            id=row["id"],
            case_id=row["case_id"],
            code=row["case__code"],
            service_type=row["service_type"],
            accepted_at=row["responded_at"],
        )
        for row in queryset.order_by("responded_at", "id").values(
            "id", "case_id", "case__code", "service_type", "responded_at"
        )[:limit]
    ]
    return rows, queryset.count()


def panel(request: HttpRequest) -> dict[str, Any] | None:
    """The home-page panel; None for users who never act on case deadlines."""
    user = actor(request)
    if not any(policy.can(user, a) for a in ("referral.decide", "case.edit", "service.update")):
        return None
    rows = deadline_list(actor=user)
    to_start, to_start_total = services_to_start(actor=user)
    return {
        "title": _("What needs me today"),
        "template": "cases/ops/_panel.html",
        "rows": rows[:PANEL_ROWS],
        "total": len(rows),
        "overdue": sum(1 for row in rows if row.overdue),
        "to_start": to_start,
        "to_start_total": to_start_total,
    }
