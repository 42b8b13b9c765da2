"""Free text that can name a person is encrypted at rest, and a decline reason naming the
person stays with the centre (issue 13, finding 6)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from opennrm.accounts.models import User
from opennrm.cases import services, vocab
from opennrm.cases.models import Case, Referral, ServiceRequest
from tests.cases.helpers import accepted_case, identified_case, refer

pytestmark = pytest.mark.django_db

NAMED = "Marko Jovanović already lives with his aunt Milica in Niš"


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_a_decline_reason_is_stored_encrypted(personas: dict[str, User]) -> None:
    referral = refer(personas["ana"])
    services.referral_decline(
        actor=personas["vesna"],
        referral=referral,
        expected_version=1,
        reason=NAMED,
        category="already_registered",
    )
    stored = _raw("cases_referral", "decline_reason", referral.pk)
    assert stored.startswith("enc1:")
    assert "Jovanovi" not in stored
    assert Referral.objects.get(pk=referral.pk).decline_reason == NAMED


def test_closure_details_are_stored_encrypted(personas: dict[str, User]) -> None:
    case = identified_case(personas["ana"], personas["vesna"])
    services.case_close(
        actor=personas["vesna"],
        case=case,
        expected_version=case.version,
        reason=vocab.ClosureReason.OTHER,
        details=NAMED,
    )
    stored = _raw("cases_case", "closure_details", case.pk)
    assert stored.startswith("enc1:")
    assert "Jovanovi" not in stored
    assert Case.objects.get(pk=case.pk).closure_details == NAMED


def test_a_service_decline_reason_is_stored_encrypted(personas: dict[str, User]) -> None:
    case = accepted_case(personas["ana"], personas["vesna"])
    service = services.service_request_create(
        actor=personas["vesna"],
        case=case,
        service_type=vocab.ServiceType.SHELTER,
        provider_agency=personas["milan"].agency,
    )
    services.service_request_respond(
        actor=personas["milan"],
        request=service,
        expected_version=service.version,
        step="decline",
        reason=NAMED,
    )
    stored = _raw("cases_servicerequest", "decline_reason", service.pk)
    assert stored.startswith("enc1:")
    assert ServiceRequest.objects.get(pk=service.pk).decline_reason == NAMED


def test_the_referring_screener_sees_the_category_never_the_reason_naming_the_person(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    referral = refer(personas["ana"])
    page = reverse("cases:referral_detail", args=[referral.pk])
    vesna = client_for("vesna")
    response = vesna.post(
        reverse("cases:referral_decline", args=[referral.pk]),
        {"version": 1, "category": "already_registered", "reason": NAMED},
    )
    assert response.status_code == 302

    seen_by_ana = client_for("ana").get(page).content.decode()
    assert "The person is already registered" in seen_by_ana
    assert "Milica" not in seen_by_ana
    assert "Milica" in vesna.get(page).content.decode()


def test_a_decline_needs_a_known_category(personas: dict[str, User]) -> None:
    from opennrm.core.errors import ValidationFailed

    referral = refer(personas["ana"])
    with pytest.raises(ValidationFailed) as refused:
        services.referral_decline(
            actor=personas["vesna"],
            referral=referral,
            expected_version=1,
            reason="Duplicate.",
            category="gossip",
        )
    assert refused.value.fields == {"category": "Choose a value from the list."}
    assert Referral.objects.get(pk=referral.pk).status == vocab.ReferralStatus.SENT
