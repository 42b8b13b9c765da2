"""Referral from a submitted screening: prefilled, linked, once, within the screener's scope."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from opennrm.accounts.models import User
from opennrm.cases import services
from opennrm.cases.models import Referral
from opennrm.core.errors import ConflictError, NotFoundError
from tests.screening.helpers import completed

pytestmark = pytest.mark.django_db


def test_a_screening_is_referred_once_with_its_summary(personas: dict[str, User]) -> None:
    ana = personas["ana"]
    screening = completed(ana)
    referral = services.referral_from_screening(
        actor=ana,
        screening_id=screening.pk,
        given_names="Milica",
        family_name="Savić",
        consent_given=True,
    )
    assert referral.source_screening == screening
    assert referral.reason == str(screening.result_summary)
    assert referral.is_child is False
    with pytest.raises(ConflictError) as refused:
        services.referral_from_screening(
            actor=ana,
            screening_id=screening.pk,
            given_names="Milica",
            family_name="Savić",
            consent_given=True,
        )
    assert refused.value.message == "This screening has already been referred."


def test_cedomir_cannot_refer_anas_screening(personas: dict[str, User]) -> None:
    screening = completed(personas["ana"])
    with pytest.raises(NotFoundError):
        services.referral_from_screening(
            actor=personas["cedomir"],
            screening_id=screening.pk,
            given_names="Milica",
            family_name="Savić",
            consent_given=True,
        )
    assert Referral.objects.count() == 0


def test_the_referral_page_from_a_screening_is_prefilled(
    client_for: Callable[[str], Client], personas: dict[str, User]
) -> None:
    screening = completed(personas["ana"])
    url = reverse("cases:refer_from_screening", kwargs={"screening_id": screening.pk})
    page = client_for("ana").get(url)
    assert page.status_code == 200
    assert str(screening.result_summary) in page.content.decode()
    assert client_for("cedomir").get(url).status_code == 404
    response = client_for("ana").post(
        url,
        {
            "given_names": "Milica",
            "family_name": "Savić",
            "gender": "Feminine",
            "consent_given": "on",
        },
    )
    referral = Referral.objects.get()
    assert response.url == reverse("cases:referral_detail", args=[referral.pk])
    assert referral.source_screening_id == screening.pk
