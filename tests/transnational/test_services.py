"""Transnational referral in one installation: partners, sending, receiving, answering, delivery.

The partner platform is played by a key pair of its own: every package it "sends" is sealed with
its keys exactly as its installation would (``envelope.seal``); the two-installation test runs a
real second platform.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from opennrm.cases import services as case_services
from opennrm.cases import vocab as case_vocab
from opennrm.cases.models import Case, Person
from opennrm.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from opennrm.transnational import envelope, services
from opennrm.transnational.models import (
    DeliveryStatus,
    Package,
    Partner,
    PartnerStatus,
    ReferralStatus,
    StatusUpdate,
    TransnationalReferral,
)
from tests.cases.helpers import accepted_case, fresh
from tests.transnational.partner import PARTNER, REFERRAL, from_partner

pytestmark = pytest.mark.usefixtures("our_keys")


def test_a_partner_is_registered_only_with_the_fingerprint_read_aloud(
    personas: dict[str, User],
) -> None:
    keys = PARTNER.public.as_text()
    with pytest.raises(ValidationFailed) as refused:
        services.partner_register(
            actor=personas["ivan"],
            country_code="MK",
            name="MK",
            endpoint="https://nrm.example.mk/inbox",
            sign_public=keys["sign_public"],
            box_public=keys["box_public"],
            fingerprint="0000 " * 10,
        )
    assert "fingerprint" in refused.value.fields
    assert not Partner.objects.exists()
    with pytest.raises(PermissionDeniedError):
        services.partner_register(
            actor=personas["vesna"],
            country_code="MK",
            name="MK",
            endpoint="https://nrm.example.mk/inbox",
            sign_public=keys["sign_public"],
            box_public=keys["box_public"],
            fingerprint=PARTNER.public.fingerprint,
        )


def test_sending_needs_the_persons_consent_for_transnational_transfer(
    personas: dict[str, User], partner: Partner
) -> None:
    case = accepted_case(personas["ana"], personas["vesna"])
    with pytest.raises(ValidationFailed) as refused:
        services.referral_send(
            actor=personas["vesna"],
            case=case,
            partner=partner,
            purpose="identify",
            fields=["prs_FirstName"],
        )
    assert "consent" in refused.value.fields
    assert not Package.objects.exists()


def test_a_child_goes_abroad_only_with_a_guardian_and_a_best_interests_assessment(
    personas: dict[str, User], partner: Partner
) -> None:
    vesna = personas["vesna"]
    case = accepted_case(personas["ana"], vesna, date_of_birth=date(2012, 5, 1))
    assert case.is_child
    case_services.consent_record(
        actor=vesna, case=case, scope=case_vocab.ConsentScope.TRANSNATIONAL
    )
    send = {
        "actor": vesna,
        "case": fresh(case),
        "partner": partner,
        "purpose": "family_tracing",
        "fields": ["prs_FirstName", "prs_SecondName"],
    }
    with pytest.raises(ValidationFailed, match="guardian"):
        services.referral_send(**send)
    case_services.guardian_add(
        actor=vesna,
        case=fresh(case),
        full_name="Milica Ilić",
        contacts="+381 11 123",
        relationship="social worker",
        appointed_by="Centar za socijalni rad",
        appointed_on=date(2026, 12, 1),
    )
    with pytest.raises(ValidationFailed) as refused:
        services.referral_send(**send)
    assert "best_interests" in refused.value.fields
    referral = services.referral_send(**send, best_interests_assessed=True)
    assert referral.consent["given_by"] == "guardian"


def test_only_the_purposes_minimum_dataset_is_sent_and_the_caseworker_may_remove_fields(
    personas: dict[str, User], partner: Partner, case: Case
) -> None:
    vesna = personas["vesna"]
    with pytest.raises(ValidationFailed, match="prs_IdentityNumber"):
        services.referral_send(
            actor=vesna,
            case=case,
            partner=partner,
            purpose="identify",
            fields=["prs_FirstName", "prs_IdentityNumber"],
        )
    referral = services.referral_send(
        actor=vesna,
        case=case,
        partner=partner,
        purpose="identify",
        fields=["prs_FirstName", "prs_Gender"],
        reason="Recruited in Kumanovo.",
    )
    package = Package.objects.get(package_id=referral.package_id)
    opened = envelope.open_payload(package.envelope, [PARTNER])
    assert opened["data"] == {"prs_FirstName": "Marko", "prs_Gender": "Masculine"}
    assert opened["reference"] == case.code
    assert "Marko" not in json.dumps(package.envelope)
    entry = AuditEntry.objects.filter(verb="trm.referral.send").get()
    assert entry.recipient == str(partner)


def test_a_received_referral_lands_in_the_inbox_and_is_acknowledged(partner: Partner) -> None:
    raw = from_partner("referral", REFERRAL)
    referral = services.receive_envelope(raw)
    assert referral.status == ReferralStatus.RECEIVED
    assert json.loads(referral.data)["prs_FirstName"] == "Elena"
    ack = Package.objects.get(direction="out")
    assert envelope.open_payload(ack.envelope, [PARTNER]) == {
        "in_reply_to": raw["id"],
        "status": "received",
    }
    assert AuditEntry.objects.filter(verb="trm.referral.receive").count() == 1


def _nothing_written() -> tuple[int, int, int]:
    return (
        Package.objects.count(),
        TransnationalReferral.objects.count(),
        AuditEntry.objects.count(),
    )


def test_a_replayed_package_is_refused_with_nothing_written(partner: Partner) -> None:
    raw = from_partner("referral", REFERRAL)
    services.receive_envelope(raw)
    before = _nothing_written()
    with pytest.raises(envelope.EnvelopeError) as refused:
        services.receive_envelope(raw)
    assert refused.value.code == "replayed"
    assert _nothing_written() == before


def test_an_expired_tampered_or_misaddressed_package_is_refused_with_nothing_written(
    partner: Partner,
) -> None:
    before = _nothing_written()
    expired = from_partner("referral", REFERRAL, now=timezone.now() - timedelta(hours=80))
    tampered = from_partner("referral", REFERRAL)
    tampered["reference"] = "x"
    forged = from_partner("referral", REFERRAL)
    forged["expires_at"] = "2099-01-01T00:00:00Z"
    elsewhere = from_partner("referral", REFERRAL, recipient="AT")
    codes = []
    for raw in (expired, tampered, forged, elsewhere):
        with pytest.raises(envelope.EnvelopeError) as refused:
            services.receive_envelope(raw)
        codes.append(refused.value.code)
    assert codes == ["expired", "malformed", "bad_signature", "wrong_recipient"]
    assert _nothing_written() == before


@pytest.mark.parametrize("status", [PartnerStatus.SUSPENDED, PartnerStatus.REVOKED])
def test_a_suspended_or_revoked_partner_is_refused(
    personas: dict[str, User], partner: Partner, status: str
) -> None:
    services.partner_set_status(
        actor=personas["ivan"], partner=partner, status=status, expected_version=partner.version
    )
    before = _nothing_written()
    with pytest.raises(envelope.EnvelopeError) as refused:
        services.receive_envelope(from_partner("referral", REFERRAL))
    assert refused.value.code == "partner_not_active"
    assert _nothing_written() == before


def test_a_payload_outside_the_published_schema_is_refused(partner: Partner) -> None:
    bad = {**REFERRAL, "data": {**REFERRAL["data"], "prs_Religion": "x"}}
    with pytest.raises(envelope.EnvelopeError) as refused:
        services.receive_envelope(from_partner("referral", bad))
    assert refused.value.code == "invalid_payload"
    assert "prs_Religion" in refused.value.message


def test_rotated_partner_keys_sign_and_the_previous_ones_still_verify(
    personas: dict[str, User], partner: Partner
) -> None:
    newer = envelope.KeyPair.from_seed(bytes(range(200, 232)))
    keys = newer.public.as_text()
    services.partner_rotate_key(
        actor=personas["ivan"],
        partner=partner,
        sign_public=keys["sign_public"],
        box_public=keys["box_public"],
        fingerprint=newer.public.fingerprint,
    )
    services.receive_envelope(from_partner("referral", REFERRAL))
    services.receive_envelope(from_partner("referral", REFERRAL, sender_keys=newer))
    assert TransnationalReferral.objects.count() == 2


def test_accepting_opens_a_case_through_the_duplicate_check_and_tells_the_partner(
    personas: dict[str, User], partner: Partner
) -> None:
    vesna = personas["vesna"]
    referral = services.receive_envelope(from_partner("referral", REFERRAL))
    case = services.incoming_accept(
        actor=vesna, referral=referral, expected_version=referral.version
    )
    person = Person.objects.get(pk=case.person_id)
    assert (person.given_names, person.family_name, person.date_of_birth) == (
        "Elena",
        "Stojanovska",
        "1999-03-02",
    )
    statuses = [
        envelope.open_payload(p.envelope, [PARTNER])["status"]
        for p in Package.objects.filter(direction="out").order_by("id")
    ]
    assert statuses == ["received", "accepted"]
    with pytest.raises(ConflictError):
        services.incoming_accept(
            actor=vesna, referral=fresh_referral(referral), expected_version=99
        )


def fresh_referral(referral: TransnationalReferral) -> TransnationalReferral:
    return TransnationalReferral.objects.get(pk=referral.pk)


def test_status_updates_from_the_partner_appear_on_the_senders_referral(
    personas: dict[str, User], partner: Partner, case: Case
) -> None:
    sent = services.referral_send(
        actor=personas["vesna"],
        case=case,
        partner=partner,
        purpose="assist",
        fields=["prs_FirstName"],
    )
    for status in ("received", "accepted", "services_started"):
        services.receive_envelope(
            from_partner("status", {"in_reply_to": str(sent.package_id), "status": status})
        )
    assert fresh_referral(sent).status == "services_started"
    assert list(StatusUpdate.objects.filter(direction="in").values_list("status", flat=True)) == [
        "received",
        "accepted",
        "services_started",
    ]
    with pytest.raises(envelope.EnvelopeError) as refused:
        services.receive_envelope(
            from_partner(
                "status",
                {"in_reply_to": "9b2f1d3e-0000-4000-8000-000000000000", "status": "accepted"},
            )
        )
    assert refused.value.code == "unknown_referral"


def test_a_return_waits_for_the_risk_assessment_and_the_partners_reception(
    personas: dict[str, User], partner: Partner, case: Case
) -> None:
    vesna = personas["vesna"]
    sent = services.referral_send(
        actor=vesna,
        case=case,
        partner=partner,
        purpose="return",
        fields=["prs_FirstName", "prs_SecondName", "prs_Citizenship"],
    )
    today = date(2026, 12, 10)
    with pytest.raises(ValidationFailed, match="risk assessment"):
        services.return_complete(
            actor=vesna, referral=sent, returned_on=today, follow_up_on=today + timedelta(days=30)
        )
    services.return_plan_save(
        actor=vesna,
        referral=sent,
        expected_version=None,
        risk_assessment="Low risk: traffickers convicted in 2025.",
        risk_level="low",
        travel_documents="Emergency travel document",
        travel_on=today,
    )
    with pytest.raises(ValidationFailed, match="reception"):
        services.return_complete(
            actor=vesna, referral=sent, returned_on=today, follow_up_on=today + timedelta(days=30)
        )
    services.receive_envelope(
        from_partner(
            "status", {"in_reply_to": str(sent.package_id), "status": "reception_confirmed"}
        )
    )
    plan = services.return_complete(
        actor=vesna,
        referral=fresh_referral(sent),
        returned_on=today,
        follow_up_on=today + timedelta(days=30),
    )
    assert plan.returned_on == today
    assert fresh_referral(sent).status == "return_completed"
    with pytest.raises(ValidationFailed):
        services.return_follow_up(actor=vesna, referral=sent, notes=" ")
    followed = services.return_follow_up(
        actor=vesna, referral=sent, notes="Living with her family; school re-enrolment arranged."
    )
    assert followed.follow_up_notes.startswith("Living with her family")


class FakeResponse:
    def __init__(self, status: int, body: dict[str, Any] | None = None) -> None:
        self.status_code = status
        self._body = body or {}

    def json(self) -> dict[str, Any]:
        return self._body


def test_a_partner_that_is_down_delays_a_package_and_never_loses_it(
    personas: dict[str, User], partner: Partner, case: Case
) -> None:
    services.referral_send(
        actor=personas["vesna"],
        case=case,
        partner=partner,
        purpose="identify",
        fields=["prs_FirstName"],
    )
    now = timezone.now()
    answers = iter([ConnectionError("down"), FakeResponse(503), FakeResponse(202)])

    def post(url: str, **kwargs: Any) -> FakeResponse:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert services.deliver_due(now=now, post=post)["retry"] == 1
    package = Package.objects.get()
    assert package.delivery == DeliveryStatus.QUEUED
    assert package.next_attempt_at == now + timedelta(seconds=30)
    assert services.deliver_due(now=now, post=post) == {
        "delivered": 0,
        "retry": 0,
        "refused": 0,
        "held": 0,
    }
    later = now + timedelta(minutes=1)
    assert services.deliver_due(now=later, post=post)["retry"] == 1
    assert services.deliver_due(now=later + timedelta(minutes=2), post=post)["delivered"] == 1
    assert Package.objects.get().attempts == 3


def test_a_suspended_partners_packages_wait_and_a_refusal_is_final(
    personas: dict[str, User], partner: Partner, case: Case
) -> None:
    services.referral_send(
        actor=personas["vesna"],
        case=case,
        partner=partner,
        purpose="identify",
        fields=["prs_FirstName"],
    )
    services.partner_set_status(
        actor=personas["ivan"],
        partner=partner,
        status="suspended",
        expected_version=partner.version,
    )
    calls: list[str] = []
    assert services.deliver_due(post=lambda url, **kw: calls.append(url))["held"] == 1
    assert calls == []
    partner.refresh_from_db()
    services.partner_set_status(
        actor=personas["ivan"], partner=partner, status="active", expected_version=partner.version
    )
    result = services.deliver_due(
        post=lambda url, **kw: FakeResponse(401, {"error": {"code": "bad_signature"}})
    )
    assert result["refused"] == 1
    assert Package.objects.get().last_error == "401 bad_signature"
