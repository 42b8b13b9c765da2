"""Data-subject requests (access, rectification, restriction, erasure, objection): the register.

Services for the identification centre's case managers and the data protection officer (the same
people who approve erasures): register a request (its answer is due 30 days after receipt), and
record the answer. A restriction request restricts processing from the moment it is registered
until its answer lifts it; any open request, and any restriction in force, holds erasure.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.cases.models import Person
from opennrm.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from opennrm.lifecycle.models import DataSubjectRequest, RequestKind, RequestStatus

ANSWER_DAYS = 30


def _require_officer(actor: User) -> None:
    from opennrm.lifecycle.services import may_approve

    if not may_approve(actor):
        raise PermissionDeniedError(
            _("Only case managers and the data protection officer handle data-subject requests.")
        )


def request_register(
    *, actor: User, person_code: str, kind: str, received_on: date, details: str = ""
) -> DataSubjectRequest:
    """Register a request; the answer is due ``ANSWER_DAYS`` after ``received_on``."""
    _require_officer(actor)
    errors = {}
    person = Person.objects.filter(code=person_code.strip()).first()
    if person is None:
        errors["person_code"] = _("No person has the code %(code)s.") % {"code": person_code}
    if kind not in RequestKind.values:
        errors["kind"] = _("Choose one of the listed kinds of request.")
    if received_on > timezone.localdate():
        errors["received_on"] = _("The date of receipt cannot be in the future.")
    if errors:
        raise ValidationFailed(_("The request was not registered."), fields=errors)
    assert person is not None
    with transaction.atomic():
        request = DataSubjectRequest.objects.create(
            person=person,
            kind=kind,
            received_on=received_on,
            due_on=received_on + timedelta(days=ANSWER_DAYS),
            details=details,
            restricted=kind == RequestKind.RESTRICTION,
            recorded_by=actor,
        )
        record(
            actor=actor,
            verb="lifecycle.request_registered",
            target=request,
            changes={"person": person.code, "kind": kind, "restricted": request.restricted},
        )
    return request


def request_answer(
    *, actor: User, request_id: int, answer: str, lift_restriction: bool = False
) -> DataSubjectRequest:
    """Record the answer given to the person; a restriction stays in force unless lifted."""
    _require_officer(actor)
    if not answer.strip():
        raise ValidationFailed(
            _("The request was not answered."),
            fields={"answer": _("Write the answer given to the person.")},
        )
    with transaction.atomic():
        request = DataSubjectRequest.objects.select_for_update().get(pk=request_id)
        if request.status != RequestStatus.OPEN:
            raise ConflictError(_("This request has been answered already."))
        request.answer = answer
        request.status = RequestStatus.ANSWERED
        request.answered_by = actor
        request.answered_at = timezone.now()
        if lift_restriction:
            request.restricted = False
        request.save()
        record(
            actor=actor,
            verb="lifecycle.request_answered",
            target=request,
            changes={
                "restricted": request.restricted,
                "late": timezone.localdate() > request.due_on,
            },
        )
    return request


def is_restricted(person: Person) -> bool:
    """True while a restriction of processing is in force for the person."""
    return DataSubjectRequest.objects.filter(person=person, restricted=True).exists()


def request_list(*, actor: User, open_only: bool = True) -> QuerySet[DataSubjectRequest]:
    from opennrm.lifecycle.services import may_approve

    if not may_approve(actor):
        return DataSubjectRequest.objects.none()
    rows = DataSubjectRequest.objects.select_related("person")
    return rows.filter(status=RequestStatus.OPEN) if open_only else rows
