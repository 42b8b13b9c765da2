"""The user guide's pages and its screenshots (``guide.py`` says how the guide is built)."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from opennrm.core.http import AuthenticatedHttpRequest
from opennrm.help import guide

# A screenshot's name as the browser test writes it: role.task.step.png, nothing else.
_SHOT_NAME = re.compile(r"^[a-z_]+\.[a-z-]+\.[0-9]+\.png$")


def _language() -> str:
    language = translation.get_language() or "en"
    return language if language in guide.LANGUAGES else "en"


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every role's tasks, the signed-in user's roles first."""
    language = _language()
    roles = [
        guide.render_role(role, language, with_steps=False)
        for role in guide.ordered_roles(set(request.user.roles))
    ]
    own = set(request.user.roles)
    return render(request, "help/index.html", {"roles": roles, "own": own})


def _role(key: str) -> guide.RoleGuide:
    role = guide.ROLES.get(key)
    if role is None:
        raise Http404
    return role


@login_required
@require_GET
def role(request: AuthenticatedHttpRequest, role: str) -> HttpResponse:
    """A role's overview: its tasks and their steps."""
    rendered = guide.render_role(_role(role), _language())
    return render(request, "help/role.html", {"role": rendered})


@login_required
@require_GET
def task(request: AuthenticatedHttpRequest, role: str, task: str) -> HttpResponse:
    """One task, step by step, with the screenshots the browser test took of each step."""
    found = _role(role)
    chosen = found.task(task)
    if chosen is None:
        raise Http404
    language = _language()
    rendered = guide.render_task(found, chosen, language)
    return render(
        request,
        "help/task.html",
        {
            "role": guide.render_role(found, language, with_steps=False),
            "task": rendered,
            "language": language,
        },
    )


@login_required
@require_GET
def shot(request: AuthenticatedHttpRequest, language: str, name: str) -> FileResponse:
    """A screenshot from the guide's directory, to signed-in users only; any other path is 404."""
    if language not in guide.LANGUAGES or not _SHOT_NAME.match(name):
        raise Http404
    root = guide.shots_dir().resolve()
    path = (root / language / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
