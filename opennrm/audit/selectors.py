"""Reads of the audit trail (auditors), and a record's own history (whoever may see the record)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Model, QuerySet

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry


@dataclass(frozen=True)
class EntryFilters:
    username: str = ""
    agency: str = ""
    verb: str = ""
    target_type: str = ""
    target_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    flagged_only: bool = False


def entry_list(*, actor: User, filters: EntryFilters | None = None) -> QuerySet[AuditEntry]:
    """Audit entries for ``audit.view`` holders, newest first, filtered."""
    entries = policy.scope(actor, AuditEntry.objects.all(), "audit.view")
    f = filters or EntryFilters()
    if f.username:
        entries = entries.filter(actor_label__iexact=f.username)
    if f.agency:
        entries = entries.filter(agency_label__icontains=f.agency)
    if f.verb:
        entries = entries.filter(verb__startswith=f.verb)
    if f.target_type:
        entries = entries.filter(target_type=f.target_type)
    if f.target_id:
        entries = entries.filter(target_id=f.target_id)
    if f.date_from:
        entries = entries.filter(at__date__gte=f.date_from)
    if f.date_to:
        entries = entries.filter(at__date__lte=f.date_to)
    if f.flagged_only:
        entries = entries.filter(flagged=True)
    return entries.order_by("-at", "-id")


def record_history(*, actor: User, obj: Model, view_action: str) -> QuerySet[AuditEntry]:
    """The timeline of one record, for users allowed ``view_action`` on it (else empty)."""
    if not policy.can(actor, view_action, obj):
        return AuditEntry.objects.none()
    meta = obj._meta
    return AuditEntry.objects.filter(
        target_type=f"{meta.app_label}.{meta.model_name}", target_id=str(obj.pk)
    ).order_by("-at", "-id")
