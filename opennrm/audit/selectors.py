"""Reads of the audit trail (auditors), and a record's own history (whoever may see the record).

A record's history on another app's detail page takes two lines. In the view::

    from opennrm.audit.selectors import record_history

    history = record_history(actor=request.user, obj=case, view_action="case.view")

and in the template, where the timeline should appear::

    {% include "audit/_history.html" with history=history %}

``view_action`` is the action that lets a user see the record itself: whoever may not see the
record gets an empty history (and the partial then says there is nothing to show). Entries show
who did what and when, and the names of changed fields; old and new values only for fields that
are not encrypted (the trail never holds values of encrypted fields).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Model, QuerySet

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from opennrm.audit.services import record


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
    """Audit entries, newest first, filtered; one query for the page and the CSV export.

    Assumes nothing: ``policy.scope`` with ``audit.view`` gives an empty queryset to anyone
    without it. ``username`` matches exactly (case-insensitive), ``agency`` by substring,
    ``verb`` by prefix (``case.`` for every case action), dates are inclusive.
    """
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


def record_history(
    *, actor: User, obj: Model, view_action: str, limit: int = 100
) -> list[AuditEntry]:
    """The timeline of one record, newest first (at most ``limit`` entries).

    Checks ``policy.can(actor, view_action, obj)`` itself: a user who may not see the record
    gets an empty list, so a page cannot leak a history by forgetting the check.
    """
    return list(record_history_entries(actor=actor, obj=obj, view_action=view_action)[:limit])


def record_history_entries(*, actor: User, obj: Model, view_action: str) -> QuerySet[AuditEntry]:
    """The whole timeline of one record, newest first, for a paged page; empty unless
    ``policy.can(actor, view_action, obj)``, as ``record_history``."""
    if not policy.can(actor, view_action, obj):
        return AuditEntry.objects.none()
    meta = obj._meta
    return AuditEntry.objects.filter(
        target_type=f"{meta.app_label}.{meta.model_name}", target_id=str(obj.pk)
    ).order_by("-at", "-id")


def entry_export(*, actor: User, filters: EntryFilters) -> QuerySet[AuditEntry]:
    """The filtered trail for an export; the export is itself an audit entry, recorded here."""
    entries = entry_list(actor=actor, filters=filters)
    record(
        actor=actor,
        verb="audit.export",
        purpose="audit trail export",
        changes={"filters": [None, _describe(filters)]},
    )
    return entries


def _describe(filters: EntryFilters) -> str:
    """The filters that were set, as ``name=value`` pairs, for the export's own entry."""
    return ", ".join(
        f"{name}={value}" for name, value in vars(filters).items() if value not in ("", None, False)
    )
