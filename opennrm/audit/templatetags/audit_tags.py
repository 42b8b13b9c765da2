"""Template helpers for audit entries: ``{{ entry.verb|action_label }}`` and ``changes|change_rows``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from opennrm.audit.labels import label_for

register = template.Library()


@register.filter
def action_label(verb: str) -> str:
    return label_for(verb)


@dataclass(frozen=True)
class ChangeRow:
    field: str
    old: Any
    new: Any
    encrypted: bool  # only the field's name is kept for encrypted fields, never a value


@register.filter
def change_rows(changes: Any) -> list[ChangeRow]:
    if not isinstance(changes, dict):
        return []
    rows = []
    for name, value in sorted(changes.items()):
        if isinstance(value, list | tuple) and len(value) == 2:
            rows.append(ChangeRow(str(name), value[0], value[1], encrypted=False))
        else:
            rows.append(ChangeRow(str(name), None, None, encrypted=value is None))
    return rows
