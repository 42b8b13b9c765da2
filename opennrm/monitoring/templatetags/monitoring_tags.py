"""Small filters for monitoring figures: numbers without trailing zeros, units, traffic lights."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import template

from opennrm.core import formatting
from opennrm.monitoring.metrics import format_number, label_of
from opennrm.monitoring.reports import light_label

register = template.Library()


@register.filter
def number(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    return format_number(Decimal(value))


@register.filter
def unit(code: str) -> str:
    return formatting.unit_suffix(code)


@register.filter
def date_alone(value: date | None) -> str:
    """A date standing alone, as the active language writes it ("1 June 2019", "1. јун 2019.")."""
    return "" if value is None else formatting.date_alone(value)


@register.filter
def date_in_text(value: date | None) -> str:
    """A date inside a sentence (Serbian: month in the genitive, "1. маја 2020.")."""
    return "" if value is None else formatting.date_in_text(value)


@register.filter
def metric_label(name: str) -> str:
    return label_of(name)


@register.filter
def light(value: str) -> str:
    from opennrm.monitoring.rating import Light

    return light_label(Light(value))
