"""Template helpers for case pages."""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def fields_named(form: forms.Form, names: str) -> list[forms.BoundField]:
    """The bound fields of ``form`` named in a space-separated list, in that order."""
    return [form[name] for name in names.split() if name in form.fields]
