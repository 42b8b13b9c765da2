"""Home-page panel: the signed-in user's imports that wait for them (a file uploaded whose
columns and preview are still to be checked and committed, or an import that failed this week),
each linked to its job page. Own jobs only (an import belongs to who uploaded it), by the
``actor, -created_at`` index, a few rows: for trainers the completion reports, for case managers
and justice the register imports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.imports.models import ImportJob, Stage
from opennrm.imports.services import UPLOAD_TTL
from opennrm.imports.spec import registered

FAILED_DAYS = 7
PANEL_ROWS = 5


@dataclass(frozen=True)
class WaitingImport:
    job: ImportJob
    title: str | Promise
    failed: bool


def waiting_imports(*, actor: User) -> list[WaitingImport]:
    """The actor's own imports to finish or look at, newest first, among the imports the actor
    may still run (a role taken away hides them)."""
    now = timezone.now()
    jobs = ImportJob.objects.filter(
        actor=actor, created_at__gte=now - timedelta(days=FAILED_DAYS)
    ).order_by("-created_at")
    rows = []
    specs = {spec.key: spec for spec in registered()}
    for job in jobs.only("id", "spec", "stage", "created_at", "updated_at", "actor_id")[:50]:
        spec = specs.get(job.spec)
        if spec is None or not policy.can(actor, spec.permission):
            continue
        waiting = job.stage == Stage.UPLOADED and job.updated_at >= now - UPLOAD_TTL
        if waiting or job.stage == Stage.FAILED:
            rows.append(WaitingImport(job=job, title=spec.title, failed=job.stage == Stage.FAILED))
    return rows


def panel(user: Any) -> dict[str, Any] | None:
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    rows = waiting_imports(actor=user)
    if not rows:
        return None
    return {
        "title": _("Imports to finish"),
        "template": "imports/_panel.html",
        "rows": rows[:PANEL_ROWS],
        "total": len(rows),
    }
