"""The base layout's "Help" link: the guide section for the page being viewed (``pages.SECTIONS``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import lazy

from opennrm.help.pages import section_for


def _help_url(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    roles: frozenset[str] = getattr(user, "roles", frozenset())
    section = section_for(match.view_name, roles) if match is not None else ""
    if not section:
        return reverse("help:index")
    role, _, task = section.partition("/")
    if task:
        return reverse("help:task", kwargs={"role": role, "task": task})
    return reverse("help:role", kwargs={"role": role})


def help_link(request: HttpRequest) -> dict[str, Any]:
    """``help_url``, computed only when a template shows it (lazily)."""
    return {"help_url": lazy(_help_url, str)(request)}
