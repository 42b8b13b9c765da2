"""Every write of transnational referral: partners and their keys, sending, receiving, answering.

The receiving side trusts nothing before it has checked, in this order: the envelope's shape, that
its sender is an active partner, that it is addressed to this country, that one of the partner's
keys signed it, that it has not expired, that its id was never accepted before, that it decrypts
to a payload bound to this envelope and valid against the published JSON Schema. Only then is
anything written, in one transaction — a refused package leaves no trace but the refusal's answer.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from nacl.encoding import RawEncoder
from nacl.hash import blake2b

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.cases import services as case_services
from opennrm.cases import vocab as case_vocab
from opennrm.cases.models import Case, Person
from opennrm.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from opennrm.core.models import save_versioned
from opennrm.transnational import dataset, envelope
from opennrm.transnational.models import (
    DeliveryStatus,
    Direction,
    KeyStatus,
    Package,
    Partner,
    PartnerKey,
    PartnerStatus,
    Purpose,
    ReferralStatus,
    ReturnPlan,
    StatusUpdate,
    TransnationalReferral,
)

log = logging.getLogger(__name__)

SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "transnational" / "package-v1.schema.json"
# Statuses either side may send about a referral, and what each means to the other side.
ANSWERS = {
    ReferralStatus.RECEIVED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.DECLINED,
    ReferralStatus.SERVICES_STARTED,
    ReferralStatus.RECEPTION_CONFIRMED,
    ReferralStatus.RETURN_COMPLETED,
    ReferralStatus.CASE_CLOSED,
}


# --- keys --------------------------------------------------------------------------------------


def installation_keys() -> list[envelope.KeyPair]:
    """This installation's key pairs, the current one last. Refuses when none is configured."""
    spec = settings.OPENNRM_TRM_KEYS.strip()
    if not spec and settings.DEBUG:
        seed = blake2b(
            settings.SECRET_KEY.encode(),
            digest_size=32,
            person=b"opennrm-trm-dev!",
            encoder=RawEncoder,
        )
        return [envelope.KeyPair.from_seed(seed)]
    if not spec:
        raise ValidationFailed(
            _("Transnational referral is not configured on this platform (OPENNRM_TRM_KEYS).")
        )
    pairs = []
    for item in spec.split(","):
        text = item.strip().rsplit(":", 1)[-1]
        pairs.append(envelope.KeyPair.from_seed(base64.b64decode(text)))
    return pairs


def own_public_keys() -> envelope.PublicKeys:
    return installation_keys()[-1].public


def country() -> str:
    return str(settings.OPENNRM_COUNTRY_CODE).upper()


def generate_seed() -> str:
    import os

    return base64.b64encode(os.urandom(32)).decode()


# --- partners ----------------------------------------------------------------------------------


def _check_fingerprint(keys: envelope.PublicKeys, confirmed: str) -> None:
    typed = "".join(confirmed.split()).upper()
    if typed != "".join(keys.fingerprint.split()):
        message = _("The fingerprint does not match the keys: read it again with the partner.")
        raise ValidationFailed(message, fields={"fingerprint": message})


def _keys_from(sign_public: str, box_public: str) -> envelope.PublicKeys:
    try:
        return envelope.PublicKeys.from_text(sign_public.strip(), box_public.strip())
    except envelope.EnvelopeError:
        message = _("A public key must be 32 bytes in base64.")
        raise ValidationFailed(message, fields={"sign_public": message}) from None


def _add_key(partner: Partner, keys: envelope.PublicKeys) -> PartnerKey:
    return PartnerKey.objects.create(
        partner=partner,
        sign_public=base64.b64encode(keys.sign_public).decode(),
        box_public=base64.b64encode(keys.box_public).decode(),
        sign_kid=keys.sign_kid,
        box_kid=keys.box_kid,
        fingerprint=keys.fingerprint,
    )


def partner_register(
    *,
    actor: User,
    country_code: str,
    name: str,
    endpoint: str,
    sign_public: str,
    box_public: str,
    fingerprint: str,
) -> Partner:
    """Register a partner platform from the keys its administrator gave out of band; the
    fingerprint both administrators read aloud must match. Permission: ``trm.partner.manage``.
    """
    policy.require(actor, "trm.partner.manage")
    code = country_code.strip().upper()
    if len(code) != 2 or not code.isalpha() or code == country():
        message = _("Give the partner's two-letter country code (not this platform's own).")
        raise ValidationFailed(message, fields={"country": message})
    if not endpoint.startswith(("https://", "http://")):
        message = _("Give the partner's inbox address (https://…).")
        raise ValidationFailed(message, fields={"endpoint": message})
    keys = _keys_from(sign_public, box_public)
    _check_fingerprint(keys, fingerprint)
    if Partner.objects.filter(country=code).exists():
        raise ConflictError(_("A partner for this country is already registered."))
    with transaction.atomic():
        partner = Partner.objects.create(country=code, name=name.strip(), endpoint=endpoint.strip())
        _add_key(partner, keys)
        record(
            actor=actor,
            verb="trm.partner.register",
            target=partner,
            changes={"fingerprint": keys.fingerprint},
            flagged=True,
        )
    return partner


def partner_set_status(
    *, actor: User, partner: Partner, status: str, expected_version: int
) -> Partner:
    """Suspend (packages held both ways), reactivate, or revoke (final). ``trm.partner.manage``."""
    policy.require(actor, "trm.partner.manage")
    if status not in PartnerStatus.values:
        raise ValidationFailed(_("Choose a status."))
    if partner.status == PartnerStatus.REVOKED:
        raise ConflictError(_("A revoked partner cannot be changed; register it again."))
    with transaction.atomic():
        before = partner.status
        partner.status = status
        save_versioned(partner, expected_version=expected_version, fields=["status"])
        record(
            actor=actor,
            verb="trm.partner.status",
            target=partner,
            changes={"status": [before, status]},
            flagged=True,
        )
    return partner


def partner_rotate_key(
    *, actor: User, partner: Partner, sign_public: str, box_public: str, fingerprint: str
) -> PartnerKey:
    """The partner's new keys become current; the old ones stay accepted (``previous``) for
    packages already on their way, until the next rotation. ``trm.partner.manage``.
    """
    policy.require(actor, "trm.partner.manage")
    keys = _keys_from(sign_public, box_public)
    _check_fingerprint(keys, fingerprint)
    with transaction.atomic():
        partner.keys.filter(status=KeyStatus.PREVIOUS).update(status=KeyStatus.RETIRED)
        partner.keys.filter(status=KeyStatus.CURRENT).update(status=KeyStatus.PREVIOUS)
        key = _add_key(partner, keys)
        record(
            actor=actor,
            verb="trm.partner.rotate",
            target=partner,
            changes={"fingerprint": keys.fingerprint},
            flagged=True,
        )
    return key


def _partner_keys(partner: Partner, statuses: Iterable[str]) -> list[envelope.PublicKeys]:
    return [
        envelope.PublicKeys.from_text(k.sign_public, k.box_public)
        for k in partner.keys.filter(status__in=list(statuses)).order_by("-id")
    ]


# --- sending -----------------------------------------------------------------------------------


def _queue(partner: Partner, kind: str, payload: dict[str, Any], package_id: str) -> Package:
    now = timezone.now()
    ttl = timedelta(hours=settings.OPENNRM_TRM_PACKAGE_HOURS)
    sealed = envelope.seal(
        kind=kind,
        payload=payload,
        sender=country(),
        recipient=partner.country,
        sender_keys=installation_keys()[-1],
        recipient_keys=_partner_keys(partner, [KeyStatus.CURRENT])[0],
        now=now,
        ttl=ttl,
        package_id=package_id,
    )
    package = Package.objects.create(
        partner=partner,
        direction=Direction.OUTGOING,
        package_id=package_id,
        kind=kind,
        envelope=sealed,
        expires_at=now + ttl,
        delivery=DeliveryStatus.QUEUED,
        next_attempt_at=now,
    )
    transaction.on_commit(_enqueue_delivery)
    return package


def _enqueue_delivery() -> None:
    from opennrm.transnational.tasks import deliver_packages

    deliver_packages.enqueue()


def has_transnational_consent(case: Case) -> bool:
    return case_services.has_consent(case, case_vocab.ConsentScope.TRANSNATIONAL)


def referral_send(
    *,
    actor: User,
    case: Case,
    partner: Partner,
    purpose: str,
    fields: Iterable[str],
    reason: str = "",
    best_interests_assessed: bool = False,
) -> TransnationalReferral:
    """Send a referral about ``case`` to ``partner`` for ``purpose`` with the chosen fields of
    the purpose's minimum dataset. Needs the person's recorded consent for transnational transfer
    (a child: a guardian in office and a best-interests assessment). Permission: ``trm.send``
    and ``case.view_pii`` on the case.
    """
    policy.require(actor, "trm.send")
    policy.require(actor, "case.view_pii", case)
    if purpose not in Purpose.values:
        message = _("Choose the purpose of the referral.")
        raise ValidationFailed(message, fields={"purpose": message})
    if partner.status != PartnerStatus.ACTIVE:
        message = _("This partner platform is suspended or revoked: nothing can be sent to it.")
        raise ValidationFailed(message, fields={"partner": message})
    chosen = list(dict.fromkeys(fields))
    allowed = dataset.MINIMUM[purpose]
    extra = [name for name in chosen if name not in allowed]
    if extra:
        message = _("These fields are not needed for this purpose: %(fields)s.") % {
            "fields": ", ".join(extra)
        }
        raise ValidationFailed(message, fields={"fields": message})
    if not chosen:
        message = _("Choose at least one field to send.")
        raise ValidationFailed(message, fields={"fields": message})
    consent = case.consents.filter(
        scope=case_vocab.ConsentScope.TRANSNATIONAL, status=case_vocab.ConsentStatus.GIVEN
    ).first()
    if consent is None:
        message = _(
            "The person's consent to transfer their data to another country is not recorded."
        )
        raise ValidationFailed(message, fields={"consent": message})
    if case.is_child:
        if not case.guardians.filter(ended_on__isnull=True).exists():
            message = _("A child's data goes abroad only with the consent of a guardian in office.")
            raise ValidationFailed(message, fields={"consent": message})
        if not best_interests_assessed:
            message = _("Assess the child's best interests before sending.")
            raise ValidationFailed(message, fields={"best_interests": message})
    values = dataset.values_of(case)
    data = {name: values[name] for name in chosen if values[name] not in ("", [])}
    package_id = str(uuid.uuid4())
    consent_facts = {
        "recorded_on": timezone.localtime(consent.recorded_at).date().isoformat(),
        "given_by": "guardian" if case.is_child else "person",
        "best_interests_assessed": bool(best_interests_assessed),
    }
    payload = {
        "purpose": purpose,
        "reference": case.code,
        "child": case.is_child,
        "consent": consent_facts,
        "data": data,
        "free_text": {"reason": reason.strip()} if reason.strip() else {},
    }
    with transaction.atomic():
        referral = TransnationalReferral.objects.create(
            direction=Direction.OUTGOING,
            partner=partner,
            package_id=package_id,
            purpose=purpose,
            reference=case.code,
            case=case,
            child=case.is_child,
            data=json.dumps(data, ensure_ascii=False),
            free_text=json.dumps(payload["free_text"], ensure_ascii=False),
            consent=consent_facts,
            status=ReferralStatus.SENT,
            created_by=actor,
        )
        _queue(partner, "referral", payload, package_id)
        record(
            actor=actor,
            verb="trm.referral.send",
            target=referral,
            recipient=str(partner),
            changes={"purpose": purpose, "fields": sorted(data)},
        )
    return referral


def status_send(
    *, actor: User | None, referral: TransnationalReferral, status: str, note: str = ""
) -> StatusUpdate:
    """Tell the partner what happened to a referral (either side). ``trm.receive`` or
    ``trm.send``; the worker's automatic "received" has no actor.
    """
    if actor is not None and not (
        policy.can(actor, "trm.receive") or policy.can(actor, "trm.send")
    ):
        raise PermissionDeniedError(_("You do not have permission to do this."))
    if status not in ANSWERS:
        raise ValidationFailed(_("Choose a status."))
    with transaction.atomic():
        update = StatusUpdate.objects.create(
            referral=referral, direction=Direction.OUTGOING, status=status, note=note.strip()
        )
        if referral.status != status:
            referral.status = status
            referral.version += 1
            referral.save(update_fields=["status", "version", "updated_at"])
        payload: dict[str, Any] = {"in_reply_to": str(referral.package_id), "status": status}
        if note.strip():
            payload["note"] = note.strip()
        _queue(referral.partner, "status", payload, str(uuid.uuid4()))
        record(
            actor=actor,
            actor_label="" if actor else "transnational",
            verb="trm.status.send",
            target=referral,
            recipient=str(referral.partner),
            changes={"status": status},
        )
    return update


# --- delivery ----------------------------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def deliver_due(*, now: datetime | None = None, post: Any = None) -> dict[str, int]:
    """Send every queued package whose time has come; a partner that is down gets it later
    (exponential backoff up to six hours); a suspended partner's packages wait; a package the
    partner refuses, or that expired before delivery, is marked refused with the reason.
    """
    import requests

    now = now or timezone.now()
    send = post or requests.post
    counts = {"delivered": 0, "retry": 0, "refused": 0, "held": 0}
    due = Package.objects.select_related("partner").filter(
        direction=Direction.OUTGOING, delivery=DeliveryStatus.QUEUED, next_attempt_at__lte=now
    )
    for package in list(due.order_by("id")[:200]):
        partner = package.partner
        if partner.status != PartnerStatus.ACTIVE:
            counts["held"] += 1
            continue
        if package.expires_at <= now:
            _finish(package, DeliveryStatus.REFUSED, "expired before delivery", now)
            counts["refused"] += 1
            continue
        package.attempts += 1
        try:
            response = send(partner.endpoint, json=package.envelope, timeout=15)
            code = int(response.status_code)
        except Exception as exc:
            code, reason = 0, type(exc).__name__
        else:
            reason = _error_code(response)
        if 200 <= code < 300 or (code == 409 and reason == "replayed"):
            _finish(package, DeliveryStatus.DELIVERED, "", now)
            counts["delivered"] += 1
        elif code == 0 or code >= 500 or code == 429:
            package.next_attempt_at = now + _backoff(package.attempts)
            package.last_error = f"{code or 'no answer'} {reason}"[:300]
            package.save(update_fields=["attempts", "next_attempt_at", "last_error", "updated_at"])
            counts["retry"] += 1
        else:
            _finish(package, DeliveryStatus.REFUSED, f"{code} {reason}", now)
            counts["refused"] += 1
    return counts


def _error_code(response: Any) -> str:
    try:
        return str(response.json().get("error", {}).get("code", ""))
    except Exception:
        return ""


def _finish(package: Package, delivery: str, error: str, now: datetime) -> None:
    package.delivery = delivery
    package.last_error = error[:300]
    package.delivered_at = now if delivery == DeliveryStatus.DELIVERED else None
    package.next_attempt_at = None
    package.save(
        update_fields=[
            "attempts",
            "delivery",
            "last_error",
            "delivered_at",
            "next_attempt_at",
            "updated_at",
        ]
    )
    if delivery == DeliveryStatus.REFUSED:
        log.warning(
            "transnational package %s refused by %s: %s",
            package.package_id,
            package.partner.country,
            error,
        )


# --- receiving ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def _validate_payload(kind: str, payload: dict[str, Any]) -> None:
    schema = _schema()
    sub = {"$defs": schema["$defs"], "$ref": f"#/$defs/{kind}"}
    try:
        jsonschema.validate(payload, sub)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "payload"
        raise envelope.EnvelopeError("invalid_payload", f"{where}: {exc.message}") from None


def receive_envelope(raw: Any, *, now: datetime | None = None) -> TransnationalReferral:
    """Check and store one package from a partner (see the module docstring for the order of
    the checks). Raises ``envelope.EnvelopeError`` with a code; nothing is written then.
    """
    now = now or timezone.now()
    header = envelope.header_of(raw)
    partner = Partner.objects.filter(country=header["from"]).first()
    if partner is None:
        raise envelope.EnvelopeError("unknown_partner", "This platform has no such partner.")
    if partner.status != PartnerStatus.ACTIVE:
        raise envelope.EnvelopeError(
            "partner_not_active", "The partnership is suspended or revoked."
        )
    if header["to"] != country():
        raise envelope.EnvelopeError(
            "wrong_recipient", "The package is addressed to another country."
        )
    envelope.verify(raw, _partner_keys(partner, [KeyStatus.CURRENT, KeyStatus.PREVIOUS]))
    expires = envelope.parse_time(header["expires_at"])
    created = envelope.parse_time(header["created_at"])
    if expires <= now:
        raise envelope.EnvelopeError("expired", "The package has expired.")
    if created > now + timedelta(minutes=5) or expires - created > timedelta(days=30):
        raise envelope.EnvelopeError("bad_time", "The package's times are not plausible.")
    if Package.objects.filter(
        partner=partner, direction=Direction.INCOMING, package_id=header["id"]
    ).exists():
        raise envelope.EnvelopeError("replayed", "This package was already received.")
    payload = envelope.open_payload(raw, installation_keys())
    _validate_payload(header["kind"], payload)
    try:
        with transaction.atomic():
            Package.objects.create(
                partner=partner,
                direction=Direction.INCOMING,
                package_id=header["id"],
                kind=header["kind"],
                envelope=raw,
                expires_at=expires,
                delivery=DeliveryStatus.RECEIVED,
                delivered_at=now,
            )
            if header["kind"] == "referral":
                referral = _receive_referral(partner, header["id"], payload)
            else:
                referral = _receive_status(partner, payload)
    except IntegrityError:
        raise envelope.EnvelopeError("replayed", "This package was already received.") from None
    return referral


def _receive_referral(
    partner: Partner, package_id: str, payload: dict[str, Any]
) -> TransnationalReferral:
    referral = TransnationalReferral.objects.create(
        direction=Direction.INCOMING,
        partner=partner,
        package_id=package_id,
        purpose=payload["purpose"],
        reference=payload["reference"],
        child=payload["child"],
        data=json.dumps(payload["data"], ensure_ascii=False),
        free_text=json.dumps(payload.get("free_text", {}), ensure_ascii=False),
        consent=payload["consent"],
        status=ReferralStatus.RECEIVED,
    )
    record(
        actor=None,
        actor_label=f"partner {partner.country}",
        verb="trm.referral.receive",
        target=referral,
        changes={"purpose": referral.purpose, "fields": sorted(payload["data"])},
    )
    status_send(actor=None, referral=referral, status=ReferralStatus.RECEIVED)
    return referral


def _receive_status(partner: Partner, payload: dict[str, Any]) -> TransnationalReferral:
    referral = TransnationalReferral.objects.filter(
        partner=partner, package_id=payload["in_reply_to"]
    ).first()
    if referral is None:
        raise envelope.EnvelopeError("unknown_referral", "No referral with that id was exchanged.")
    StatusUpdate.objects.create(
        referral=referral,
        direction=Direction.INCOMING,
        status=payload["status"],
        note=payload.get("note", ""),
    )
    referral.status = payload["status"]
    referral.version += 1
    referral.save(update_fields=["status", "version", "updated_at"])
    record(
        actor=None,
        actor_label=f"partner {partner.country}",
        verb="trm.status.receive",
        target=referral,
        changes={"status": payload["status"]},
    )
    return referral


# --- answering a received referral -------------------------------------------------------------


def _require_incoming(referral: TransnationalReferral) -> None:
    if referral.direction != Direction.INCOMING:
        raise ValidationFailed(_("Only a received referral can be answered this way."))
    if referral.status != ReferralStatus.RECEIVED:
        raise ConflictError(_("This referral has already been answered."))


def incoming_accept(
    *,
    actor: User,
    referral: TransnationalReferral,
    expected_version: int,
    person: Person | None = None,
) -> Case:
    """Accept a referral from a partner: open a case for ``person`` (a match the case manager
    confirmed after the duplicate check) or for a new person made from the received data, and
    tell the partner. Permission: ``trm.receive`` and ``case.edit``.
    """
    policy.require(actor, "trm.receive")
    _require_incoming(referral)
    data = json.loads(referral.data or "{}")
    with transaction.atomic():
        if person is None:
            birth = str(data.get("prs_Birthdate", ""))
            person = case_services.person_create(
                actor=actor,
                given_names=str(data.get("prs_FirstName", "")) or "—",
                family_name=str(data.get("prs_SecondName", "")) or "—",
                date_of_birth=date.fromisoformat(birth) if len(birth) == 10 else None,
                year_of_birth=int(birth) if len(birth) == 4 else None,
                gender=str(data.get("prs_Gender", case_vocab.Gender.UNKNOWN)),
                citizenship=list(data.get("prs_Citizenship", [])),
                languages=[data["prs_PrimaryLanguage"]] if data.get("prs_PrimaryLanguage") else [],
                contacts=str(data.get("prs_MobilePhone", "")),
                identity_document=str(data.get("prs_IdentityNumber", "")),
            )
        case = case_services.case_open(
            actor=actor,
            person=person,
            lead_agency=case_services.identification_centre(),
            caseworker=actor,
            is_child=referral.child,
        )
        referral.case = case
        referral.status = ReferralStatus.ACCEPTED
        save_versioned(referral, expected_version=expected_version, fields=["case", "status"])
        record(
            actor=actor, verb="trm.referral.accept", target=referral, changes={"case": case.code}
        )
        status_send(actor=actor, referral=referral, status=ReferralStatus.ACCEPTED)
    return case


def incoming_decline(
    *, actor: User, referral: TransnationalReferral, expected_version: int, reason: str
) -> TransnationalReferral:
    """Decline a referral from a partner with a reason, which is sent to the partner.
    Permission: ``trm.receive``.
    """
    policy.require(actor, "trm.receive")
    _require_incoming(referral)
    if not reason.strip():
        message = _("Give the reason, for the partner.")
        raise ValidationFailed(message, fields={"reason": message})
    with transaction.atomic():
        referral.status = ReferralStatus.DECLINED
        referral.decline_reason = reason.strip()
        save_versioned(
            referral, expected_version=expected_version, fields=["status", "decline_reason"]
        )
        record(actor=actor, verb="trm.referral.decline", target=referral)
        status_send(actor=actor, referral=referral, status=ReferralStatus.DECLINED, note=reason)
    return referral


# --- safe return -------------------------------------------------------------------------------


def return_plan_save(
    *,
    actor: User,
    referral: TransnationalReferral,
    expected_version: int | None,
    risk_assessment: str,
    risk_level: str,
    travel_documents: str,
    travel_on: date | None,
) -> ReturnPlan:
    """Record the pre-return risk assessment, travel documents and travel date of a return
    referral. Permission: ``trm.send`` on a referral this platform sent for return.
    """
    policy.require(actor, "trm.send")
    if referral.direction != Direction.OUTGOING or referral.purpose != Purpose.RETURN:
        raise ValidationFailed(_("A return plan belongs to a referral sent for safe return."))
    with transaction.atomic():
        plan = ReturnPlan.objects.filter(referral=referral).first()
        values = {
            "risk_assessment": risk_assessment.strip(),
            "risk_level": risk_level,
            "travel_documents": travel_documents.strip(),
            "travel_on": travel_on,
        }
        if plan is None:
            plan = ReturnPlan.objects.create(referral=referral, **values)
        else:
            for name, value in values.items():
                setattr(plan, name, value)
            save_versioned(plan, expected_version=expected_version or 0, fields=list(values))
        record(
            actor=actor, verb="trm.return.plan", target=referral, changes={"risk_level": risk_level}
        )
    return plan


def return_complete(
    *, actor: User, referral: TransnationalReferral, returned_on: date, follow_up_on: date
) -> ReturnPlan:
    """The person travelled. Refused until the risk assessment is recorded and the partner has
    confirmed the reception arrangements. Tells the partner. Permission: ``trm.send``.
    """
    policy.require(actor, "trm.send")
    plan = ReturnPlan.objects.filter(referral=referral).first()
    if plan is None or not plan.risk_assessment or not plan.risk_level:
        raise ValidationFailed(_("Record the pre-return risk assessment first."))
    confirmed = referral.updates.filter(
        direction=Direction.INCOMING, status=ReferralStatus.RECEPTION_CONFIRMED
    ).exists()
    if not confirmed:
        raise ValidationFailed(
            _("The partner has not yet confirmed the reception arrangements: the return waits.")
        )
    if follow_up_on <= returned_on:
        message = _("Plan the follow-up after the return date.")
        raise ValidationFailed(message, fields={"follow_up_on": message})
    with transaction.atomic():
        plan.returned_on = returned_on
        plan.follow_up_on = follow_up_on
        save_versioned(plan, expected_version=plan.version, fields=["returned_on", "follow_up_on"])
        referral.status = ReferralStatus.RETURN_COMPLETED
        referral.version += 1
        referral.save(update_fields=["status", "version", "updated_at"])
        status_send(actor=actor, referral=referral, status=ReferralStatus.RETURN_COMPLETED)
    return plan


def return_follow_up(*, actor: User, referral: TransnationalReferral, notes: str) -> ReturnPlan:
    """Record the follow-up after a return (how the person is, what the partner reported).
    Permission: ``trm.send``.
    """
    policy.require(actor, "trm.send")
    plan = ReturnPlan.objects.filter(referral=referral).first()
    if plan is None or plan.returned_on is None:
        raise ValidationFailed(_("Record the return before its follow-up."))
    if not notes.strip():
        message = _("Write what the follow-up found.")
        raise ValidationFailed(message, fields={"notes": message})
    with transaction.atomic():
        plan.follow_up_notes = notes.strip()
        save_versioned(plan, expected_version=plan.version, fields=["follow_up_notes"])
        record(actor=actor, verb="trm.return.follow_up", target=referral)
    return plan
