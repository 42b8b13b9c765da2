"""Every write of field work: device keys, remote wipe, and the sync of queued items.

A queued item is what a device did offline: a screening, a referral drafted from it, a new case
note, an edit of a note, a step of a service request. Each goes through the real service of its
app (the screening engine on the server, the referral and duplicate check of the centre, the
versioned note and service request), inside one transaction with the ``SyncItem`` row whose
unique ``item_id`` makes a resent item apply once. Each is audited with the time it was made on
the device and the time it arrived.

Edits carry the version they were based on and the values they started from: the server applies
every field nobody else changed since, and returns the others (both values, side by side) for the
user to resolve — nothing is discarded and nothing is silently overwritten.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.cases import services as cases
from opennrm.cases.models import CaseNote
from opennrm.cases.selectors import case_get, service_request_get
from opennrm.core.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    StaleRecordError,
    ValidationFailed,
)
from opennrm.field.models import FieldDevice, SyncItem
from opennrm.screening import services as screening

FIELD_ACTIONS = ("screening.create", "service.update")
KINDS = ("screening", "referral", "note", "note_edit", "service_step")


class DeviceWiped(DomainError):
    """The device must erase its data: wipe requested, or its user locked out or deactivated."""

    status = 410
    code = "device_wiped"


def is_field_user(user: User) -> bool:
    return any(policy.can(user, action) for action in FIELD_ACTIONS)


def require_field_user(actor: User) -> None:
    if not is_field_user(actor):
        raise PermissionDeniedError(_("Field work is for those who screen or provide services."))


def _locked_out(user: User) -> bool:
    from axes.models import AccessAttempt

    locked: bool = AccessAttempt.objects.filter(
        username=user.get_username().strip().lower(),
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
    ).exists()
    return locked


def must_wipe(device: FieldDevice) -> bool:
    user = device.user
    return device.wipe_requested_at is not None or not user.is_active or _locked_out(user)


def device_key_release(*, actor: User, device_id: str) -> FieldDevice:
    """The device's key for its signed-in user, made on the device's first contact.

    Refused (DeviceWiped) for a device whose wipe is pending; a device id belonging to another
    user is "not found". Audited on every release. Permission: a field role.
    """
    require_field_user(actor)
    device_id = device_id.strip()
    if not device_id or len(device_id) > 64:
        raise ValidationFailed(
            _("The device id is not valid."), fields={"device_id": _("Invalid.")}
        )
    now = timezone.now()
    with transaction.atomic():
        device = FieldDevice.objects.select_for_update().filter(device_id=device_id).first()
        if device is not None and device.user_id != actor.pk:
            raise NotFoundError(_("This device is not known."))
        if device is not None and (device.wiped_at is not None or must_wipe(device)):
            raise DeviceWiped(_("This device's data must be erased. Sign in again to continue."))
        if device is None:
            device = FieldDevice.objects.create(
                user=actor,
                device_id=device_id,
                key=base64.b64encode(os.urandom(32)).decode("ascii"),
            )
        device.last_contact_at = now
        device.save(update_fields=["last_contact_at", "updated_at"])
        record(actor=actor, verb="field.key_release", target=device, purpose="field work offline")
    return device


def device_contact(*, device_id: str) -> bool:
    """A device's check at each contact, signed in or not: True when it must erase its data
    (wipe requested, user locked out or deactivated). Unknown ids answer False (a random id
    reveals nothing)."""
    device = FieldDevice.objects.select_related("user").filter(device_id=device_id).first()
    if device is None or device.wiped_at is not None:
        return False
    wipe = must_wipe(device)
    with transaction.atomic():
        device.last_contact_at = timezone.now()
        device.save(update_fields=["last_contact_at", "updated_at"])
        if wipe:
            record(actor=None, actor_label="field device", verb="field.wipe_sent", target=device)
    return wipe


def device_wipe_confirm(*, device_id: str) -> None:
    """The device reports that it erased its data after being told to."""
    device = FieldDevice.objects.select_related("user").filter(device_id=device_id).first()
    if device is None or device.wiped_at is not None or not must_wipe(device):
        return
    with transaction.atomic():
        device.wiped_at = timezone.now()
        device.save(update_fields=["wiped_at", "updated_at"])
        record(actor=None, actor_label="field device", verb="field.wiped", target=device)


def device_wipe_request(*, actor: User, user: User) -> int:
    """Ask every device of ``user`` to erase its data at its next contact (a lost phone).
    Permission: ``user.manage``. Returns how many devices were flagged."""
    policy.require(actor, "user.manage")
    now = timezone.now()
    with transaction.atomic():
        devices = list(
            FieldDevice.objects.filter(user=user, wiped_at__isnull=True, wipe_requested_at=None)
        )
        for device in devices:
            device.wipe_requested_at, device.wipe_requested_by = now, actor
            device.save(update_fields=["wipe_requested_at", "wipe_requested_by", "updated_at"])
            record(actor=actor, verb="field.wipe_request", target=device)
    return len(devices)


# --- sync ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: str
    data: dict[str, Any] = field(default_factory=dict)
    target: models.Model | None = None
    conflicts: list[str] = field(default_factory=list)


def _text(payload: Mapping[str, Any], name: str, limit: int = 5000) -> str:
    value = payload.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise ValidationFailed(
            _("The item could not be read; see the fields."), fields={name: _("Invalid.")}
        )
    return value


def _int(payload: Mapping[str, Any], name: str, *, required: bool = True) -> int | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(
            _("The item could not be read; see the fields."), fields={name: _("Invalid.")}
        )
    return value


def _sync_screening(actor: User, payload: Mapping[str, Any]) -> Outcome:
    answers = payload.get("answers") or {}
    exploitation = payload.get("exploitation") or []
    if not isinstance(answers, dict) or not isinstance(exploitation, list):
        raise ValidationFailed(_("The screening could not be read."))
    screened_on = None
    if payload.get("screened_on"):
        try:
            screened_on = dt.date.fromisoformat(str(payload["screened_on"]))
        except ValueError:
            raise ValidationFailed(
                _("The screening could not be read."), fields={"screened_on": _("Invalid.")}
            ) from None
    made = screening.screening_start(
        actor=actor,
        age_group=_text(payload, "age_group", 20),
        exploitation=[str(e) for e in exploitation],
        screened_on=screened_on,
        place=_text(payload, "place", 100),
        age_reasons=_text(payload, "age_reasons"),
    )
    screening.screening_save_answers(
        actor=actor,
        screening=made,
        expected_version=made.version,
        answers={str(k): str(v) for k, v in answers.items()},
        observations=_text(payload, "observations"),
    )
    screening.screening_submit(actor=actor, screening=made, expected_version=made.version)
    device_outcome = payload.get("device_outcome")
    return Outcome(
        "applied",
        {
            "screening": {
                "id": made.pk,
                "code": made.code,
                "outcome": made.outcome,
                # The server's engine decides; the device's own result is compared for the record.
                "agrees_with_device": device_outcome in (None, made.outcome),
            }
        },
        made,
    )


def _synced_target(actor: User, item_id: str, kind: str) -> str:
    found = SyncItem.objects.filter(
        item_id=item_id, user=actor, kind=kind, status=SyncItem.Status.APPLIED
    ).first()
    if found is None:
        raise ConflictError(
            _("The screening of this referral has not been synced yet."),
            code="screening_not_synced",
        )
    return found.target_id


def _sync_referral(actor: User, payload: Mapping[str, Any]) -> Outcome:
    screening_id = _int(payload, "screening_id", required=False)
    if screening_id is None:
        screening_id = int(_synced_target(actor, _text(payload, "screening_item", 64), "screening"))
    year = _int(payload, "year_of_birth", required=False)
    consent = payload.get("consent_given") is True
    # The centre runs the usual duplicate check (blind index of the name, date or year of birth)
    # when it accepts the referral: two offline screenings of one person meet there.
    referral = cases.referral_from_screening(
        actor=actor,
        screening_id=screening_id,
        given_names=_text(payload, "given_names", 200),
        family_name=_text(payload, "family_name", 200),
        year_of_birth=year,
        consent_given=consent,
        consent_scope=["referral"] if consent else [],
        reason=_text(payload, "reason"),
    )
    return Outcome("applied", {"referral": {"id": referral.pk}}, referral)


def _sync_note(actor: User, payload: Mapping[str, Any]) -> Outcome:
    case = case_get(actor=actor, pk=_int(payload, "case_id") or 0)
    note = cases.case_note_add(
        actor=actor,
        case=case,
        body=_text(payload, "body", 20_000),
        sensitivity=_int(payload, "sensitivity") or 0,
    )
    return Outcome("applied", {"note": {"id": note.pk, "version": note.version}}, note)


NOTE_FIELDS = ("body", "sensitivity")


def merge_fields(
    base: Mapping[str, Any], mine: Mapping[str, Any], theirs: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Field by field: a change of mine applies where the server still has the base value (or
    already has mine); where both changed the same field differently, it is a conflict."""
    apply: dict[str, Any] = {}
    conflicts: list[str] = []
    for name, value in mine.items():
        if theirs.get(name) == value:
            continue
        if theirs.get(name) == base.get(name):
            apply[name] = value
        else:
            conflicts.append(name)
    return apply, conflicts


def _sync_note_edit(actor: User, payload: Mapping[str, Any]) -> Outcome:
    note_id = _int(payload, "note_id") or 0
    note = CaseNote.objects.select_related("case").filter(pk=note_id).first()
    if note is None:
        raise NotFoundError(_("The note was not found."))
    case_get(actor=actor, pk=note.case_id)  # in scope, or not found
    base_version = _int(payload, "base_version") or 0
    base = payload.get("base") or {}
    changes = payload.get("changes") or {}
    if not isinstance(base, dict) or not isinstance(changes, dict) or not changes:
        raise ValidationFailed(_("The note edit could not be read."))
    mine = {k: v for k, v in changes.items() if k in NOTE_FIELDS}
    theirs = {"body": note.body, "sensitivity": note.sensitivity}
    if note.version == base_version:
        apply, conflicts = dict(mine), list[str]()
    else:
        apply, conflicts = merge_fields(base, mine, theirs)
    if apply:
        cases.case_note_update(
            actor=actor,
            note=note,
            expected_version=note.version,
            body=apply.get("body"),
            sensitivity=apply.get("sensitivity"),
        )
    data: dict[str, Any] = {
        "note": {"id": note.pk, "version": note.version},
        "applied": sorted(apply),
    }
    if conflicts:
        data["conflicts"] = {
            name: {"device": mine[name], "server": theirs[name], "base": base.get(name)}
            for name in conflicts
        }
        return Outcome("conflict", data, note, conflicts)
    return Outcome("applied", data, note)


def _sync_service_step(actor: User, payload: Mapping[str, Any]) -> Outcome:
    request = service_request_get(actor=actor, pk=_int(payload, "service_request_id") or 0)
    base_version = _int(payload, "base_version") or 0
    step = _text(payload, "step", 20)
    if step not in ("accept", "decline", "start", "complete"):
        raise ValidationFailed(_("Unknown step."), fields={"step": _("Invalid.")})
    try:
        cases.service_request_respond(
            actor=actor,
            request=request,
            expected_version=base_version,
            step=step,
            reason=_text(payload, "reason"),
        )
    except StaleRecordError:
        request.refresh_from_db()
        data = {
            "service_request": {"id": request.pk, "version": request.version},
            "conflicts": {
                "status": {"device": step, "server": request.status, "base": payload.get("base")}
            },
        }
        return Outcome("conflict", data, request, ["status"])
    return Outcome(
        "applied",
        {"service_request": {"id": request.pk, "version": request.version}},
        request,
    )


HANDLERS: dict[str, Callable[[User, Mapping[str, Any]], Outcome]] = {
    "screening": _sync_screening,
    "referral": _sync_referral,
    "note": _sync_note,
    "note_edit": _sync_note_edit,
    "service_step": _sync_service_step,
}


@dataclass(frozen=True)
class QueuedItem:
    id: str
    kind: str
    device_time: dt.datetime
    payload: Mapping[str, Any]


def _device_for(actor: User, device_id: str) -> FieldDevice:
    device = FieldDevice.objects.filter(device_id=device_id, user=actor).first()
    if device is None:
        raise NotFoundError(_("This device is not known. Open field work while online first."))
    if device.wiped_at is not None or must_wipe(device):
        raise DeviceWiped(_("This device's data must be erased. Sign in again to continue."))
    return device


def _audit(
    actor: User, device: FieldDevice, item: QueuedItem, arrived: dt.datetime, outcome: Outcome
) -> None:
    record(
        actor=actor,
        verb="field.sync",
        target=outcome.target,
        purpose="field work synced from a device",
        changes={
            "item": item.id,
            "kind": item.kind,
            "status": outcome.status,
            "device": device.pk,
            "device_time": item.device_time.isoformat(),
            "arrived_at": arrived.isoformat(),
            "conflicts": outcome.conflicts,
        },
    )


def _stored(done: SyncItem) -> dict[str, Any]:
    """The answer given when the item was first applied."""
    response: dict[str, Any] = json.loads(done.response)
    return response


def _one(actor: User, device: FieldDevice, item: QueuedItem) -> dict[str, Any]:
    done = SyncItem.objects.filter(item_id=item.id).first()
    if done is not None:
        if done.user_id != actor.pk:
            return {"id": item.id, "status": "refused", "error": {"code": "not_found"}}
        return _stored(done) | {"repeat": True}
    arrived = timezone.now()
    try:
        with transaction.atomic():
            outcome = HANDLERS[item.kind](actor, item.payload)
            answer = {"id": item.id, "kind": item.kind, "status": outcome.status} | outcome.data
            target = outcome.target
            SyncItem.objects.create(
                item_id=item.id,
                device=device,
                user=actor,
                kind=item.kind,
                device_time=item.device_time,
                arrived_at=arrived,
                status=outcome.status,
                target_type=target._meta.label_lower if target is not None else "",
                target_id=str(target.pk) if target is not None else "",
                response=json.dumps(answer, default=str),
            )
            _audit(actor, device, item, arrived, outcome)
    except IntegrityError:
        # The same item arrived twice at once: the first applied it, this one reports it.
        done = SyncItem.objects.filter(item_id=item.id, user=actor).first()
        if done is None:
            raise
        return _stored(done) | {"repeat": True}
    except DomainError as exc:
        refused = Outcome("refused", {}, None)
        with transaction.atomic():
            _audit(actor, device, item, arrived, refused)
        return {"id": item.id, "kind": item.kind, "status": "refused"} | exc.as_dict()
    return answer


def sync_items(*, actor: User, device_id: str, items: list[QueuedItem]) -> list[dict[str, Any]]:
    """Apply a device's queued items in order (a referral after its screening); one answer per
    item: ``applied``, ``conflict`` (with the conflicting fields, both values) or ``refused``
    (with the error). A resent item answers as the first time, with ``repeat``. Permission: a
    field role; each item is checked by its own service as if made online.
    """
    require_field_user(actor)
    device = _device_for(actor, device_id)
    bad = [i.id for i in items if i.kind not in KINDS]
    if bad:
        raise ValidationFailed(
            _("Unknown kind of item."), fields={item_id: _("Invalid.") for item_id in bad}
        )
    answers = [_one(actor, device, item) for item in items]
    device.last_contact_at = timezone.now()
    device.save(update_fields=["last_contact_at", "updated_at"])
    return answers
