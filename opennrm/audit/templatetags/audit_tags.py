"""Template helpers for audit entries: ``{{ entry.verb|action_label }}`` and ``changes|change_rows``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from opennrm.audit.labels import field_label, field_value, label_for, purpose_label, target_label

register = template.Library()


@register.filter
def action_label(verb: str) -> str:
    return label_for(verb)


@register.filter
def purpose(text: str) -> str:
    """A stated purpose in the viewer's language (the platform's own) or as typed."""
    return purpose_label(text or "")


@register.filter
def target(entry: Any) -> str:
    """What an entry is about: the record's kind by its model's name, and its identifier."""
    if isinstance(entry, dict):
        return target_label(entry.get("target_type", ""), entry.get("target_label", ""))
    return target_label(getattr(entry, "target_type", ""), getattr(entry, "target_label", ""))


@register.filter
def agency_label(label: str) -> str:
    """The agency of an entry in the reader's language. Entries keep the agency's (English)
    name as it was when written; an agency of that name still known is shown by its name in the
    active language, any other label as kept."""
    from opennrm.accounts.models import Agency

    if not label:
        return ""
    agency = Agency.objects.filter(name=label).first()
    return agency.display_name if agency is not None else label


@register.filter
def changed_fields(entry: Any) -> str:
    """The changed fields of an audit entry (an ``AuditEntry`` or its dict), by their names."""
    changes = getattr(entry, "changes", None)
    target_type = getattr(entry, "target_type", "")
    if isinstance(entry, dict):
        changes, target_type = entry.get("changes"), entry.get("target_type", "")
    if not isinstance(changes, dict):
        return ""
    return ", ".join(field_label(target_type or "", str(name)) for name in changes)


@dataclass(frozen=True)
class ChangeRow:
    field: str
    old: Any
    new: Any
    encrypted: bool  # only the field's name is kept for encrypted fields, never a value


@register.filter
def change_rows(changes: Any, target_type: str = "") -> list[ChangeRow]:
    """``entry.changes|change_rows:entry.target_type``: each change with the field's name and
    values as a person reads them (choice labels, not stored codes)."""
    if not isinstance(changes, dict):
        return []
    rows = []
    for name, value in sorted(changes.items()):
        label = field_label(target_type or "", str(name))
        if isinstance(value, list | tuple) and len(value) == 2:
            old, new = (field_value(target_type or "", str(name), v) for v in value)
            rows.append(ChangeRow(label, old, new, encrypted=False))
        else:
            rows.append(ChangeRow(label, None, None, encrypted=value is None))
    return rows
