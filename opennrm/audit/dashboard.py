"""The auditor's "what needs me today" (home page): break-the-glass accesses to review, entries
flagged this week, and the state of the hash chain.

Bounded for a national register: counts and the first few rows of indexed filters (the entry
time, the seal sequence, a grant's review date), a fixed number of queries whatever the size of
the trail. Names of victims never appear: entries show the record's label (codes), grants the
user who opened a record and the record's type; a grant's stated purpose is read on the review
page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.accounts import policy
from opennrm.accounts.models import BreakGlassGrant, User
from opennrm.accounts.selectors import break_glass_list
from opennrm.audit.models import AuditEntry, AuditSeal

# How far back the auditor's home page looks for flagged entries.
FLAGGED_DAYS = 7
# A chain verified longer ago than this is offered for verification again.
VERIFY_EVERY_DAYS = 7
PANEL_ROWS = 5


@dataclass(frozen=True)
class ChainState:
    """The audit chain as the auditor's home page shows it."""

    last_sealed_at: datetime | None
    waiting: int  # entries written after the last sealed one (not yet chained)
    verified_at: datetime | None
    verified_ok: bool | None
    verify_due: bool


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def flagged_entries(*, actor: User, since: date) -> QuerySet[AuditEntry]:
    """Flagged entries from ``since`` (local day) on, newest first: the entry time's index,
    no date function on the column."""
    entries = policy.scope(actor, AuditEntry.objects.all(), "audit.view")
    return entries.filter(at__gte=_start_of(since), flagged=True).order_by("-at", "-id")


def chain_state(*, actor: User, now: datetime | None = None) -> ChainState | None:
    """The last seal, the entries waiting for one, the last verification; None without
    ``audit.verify``."""
    if not policy.can(actor, "audit.verify"):
        return None
    now = now or timezone.now()
    last = AuditSeal.objects.order_by("-seq").values("entry_id", "sealed_at").first()
    newer = AuditEntry.objects.all()
    if last is not None:
        newer = newer.filter(pk__gt=last["entry_id"])
    # Counted up to a bound: the panel says "more than 1,000" rather than walk a backlog.
    waiting = newer.order_by().values("pk")[:1001].count()
    verified = (
        AuditEntry.objects.filter(verb="audit.verify")
        .order_by("-at", "-id")
        .values("at", "changes")
        .first()
    )
    verified_at = verified["at"] if verified else None
    ok: bool | None = None
    if verified:
        outcome = (verified["changes"] or {}).get("ok")
        ok = bool(outcome[1]) if isinstance(outcome, list) and len(outcome) == 2 else None
    return ChainState(
        last_sealed_at=last["sealed_at"] if last else None,
        waiting=waiting,
        verified_at=verified_at,
        verified_ok=ok,
        verify_due=verified_at is None
        or ok is False
        or verified_at < now - timedelta(days=VERIFY_EVERY_DAYS),
    )


def unreviewed_grants(*, actor: User) -> QuerySet[BreakGlassGrant]:
    return break_glass_list(actor=actor, unreviewed_only=True).order_by("-created_at", "-id")


def panel(user: Any) -> dict[str, Any] | None:
    if not isinstance(user, User) or not policy.can(user, "audit.view"):
        return None
    since = timezone.localdate() - timedelta(days=FLAGGED_DAYS)
    entries = flagged_entries(actor=user, since=since)
    grants = unreviewed_grants(actor=user)
    return {
        "title": _("What needs me today"),
        "template": "audit/_panel.html",
        "grants": list(grants[:PANEL_ROWS]),
        "grants_total": grants.count(),
        "entries": list(entries[:PANEL_ROWS]),
        "total": entries.count(),
        "since": since,
        "chain": chain_state(actor=user),
        "more_than": 1000,
    }
