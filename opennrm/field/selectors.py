"""Reads of field work: the assigned work a device takes offline, the devices of a user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.cases import vocab
from opennrm.cases.models import Case, ServiceRequest
from opennrm.field.models import FieldDevice

MAX_CASES = 50
_OPEN = (
    vocab.ServiceStatus.REQUESTED,
    vocab.ServiceStatus.ACCEPTED,
    vocab.ServiceStatus.IN_PROGRESS,
)
_NEXT_STEPS: dict[str, list[str]] = {status: vocab.service_steps_from(status) for status in _OPEN}


def _note(n: Any, actor: User) -> dict[str, Any]:
    return {
        "id": n.pk,
        "version": n.version,
        "body": n.body,
        "sensitivity": n.sensitivity,
        "mine": n.author_id == actor.pk,
        "created_at": n.created_at.isoformat(),
    }


def field_work(*, actor: User) -> dict[str, Any]:
    """What the actor takes offline: the open cases they are caseworker of (case managers) with
    their notes, and the open service requests of their agency (providers) with the notes
    shared with providers. Each case read is audited (``case.view_pii``, purpose field work);
    the device keeps it encrypted. Nothing for anyone else.
    """
    cases: dict[int, dict[str, Any]] = {}
    if policy.can(actor, "case.edit"):
        mine = policy.scope(actor, Case.objects.filter(caseworker=actor), "case.view").exclude(
            status=vocab.CaseStatus.CLOSED
        )
        for case in mine.order_by("-id")[:MAX_CASES]:
            record(actor=actor, verb="case.view_pii", target=case, purpose="field work offline")
            cases[case.pk] = {
                "id": case.pk,
                "code": case.code,
                "status": str(case.get_status_display()),
                "notes": [_note(n, actor) for n in case.notes.all()],
                "services": [],
            }
    if policy.can(actor, "service.update"):
        requests: QuerySet[ServiceRequest] = policy.scope(
            actor, ServiceRequest.objects.filter(status__in=_OPEN), "service.update"
        ).select_related("case")
        for request in requests.order_by("-id")[: MAX_CASES * 2]:
            case = request.case
            if case.pk not in cases:
                if len(cases) >= MAX_CASES:
                    break
                record(actor=actor, verb="case.view_pii", target=case, purpose="field work offline")
                cases[case.pk] = {
                    "id": case.pk,
                    "code": case.code,
                    "status": str(case.get_status_display()),
                    "notes": [
                        _note(n, actor)
                        for n in case.notes.filter(sensitivity=vocab.NoteSensitivity.SHARED)
                    ],
                    "services": [],
                }
            cases[case.pk]["services"].append(
                {
                    "id": request.pk,
                    "version": request.version,
                    "service": str(request.get_service_type_display()),
                    "status": request.status,
                    "status_label": str(request.get_status_display()),
                    "steps": _NEXT_STEPS.get(request.status, []),
                }
            )
    return {"cases": list(cases.values())}


def device_list(*, actor: User) -> QuerySet[FieldDevice]:
    """Every field device with its user, newest contact first (``user.manage``), for the remote
    wipe. No personal data of victims: who uses which device, and when it was last seen."""
    policy.require(actor, "user.manage")
    return FieldDevice.objects.select_related("user").order_by("-last_contact_at", "-id")
