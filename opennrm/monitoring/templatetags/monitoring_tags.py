"""Small filters for monitoring figures: numbers without trailing zeros, units, traffic lights."""

from __future__ import annotations

from decimal import Decimal

from django import template

from opennrm.monitoring.metrics import format_number
from opennrm.monitoring.reports import light_label, unit_suffix

register = template.Library()


@register.filter
def number(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    return format_number(Decimal(value))


@register.filter
def unit(code: str) -> str:
    return unit_suffix(code)


@register.filter
def light(value: str) -> str:
    from opennrm.monitoring.rating import Light

    return light_label(Light(value))
