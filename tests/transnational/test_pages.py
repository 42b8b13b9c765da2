"""The transnational pages: who may open them, and the caseworker's and the receiver's journeys
through the forms (the two-installation test covers the network between platforms)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from opennrm.accounts.models import User
from opennrm.cases.models import Case
from opennrm.transnational import envelope, services
from opennrm.transnational.models import Package, Partner, TransnationalReferral
from tests.cases.helpers import accepted_case
from tests.conftest import assert_access
from tests.transnational.partner import PARTNER, REFERRAL, from_partner

pytestmark = pytest.mark.usefixtures("our_keys")


def test_only_case_managers_and_administrators_open_the_transnational_pages(
    client_for: Callable[[str], Client], partner: Partner, case: Case
) -> None:
    assert_access(client_for, reverse("transnational:index"), allowed={"vesna", "ivan"})
    assert_access(client_for, reverse("transnational:partner_add"), allowed={"ivan"})
    assert_access(client_for, reverse("transnational:partner", args=[partner.pk]), allowed={"ivan"})
    assert_access(client_for, reverse("transnational:send", args=[case.pk]), allowed={"vesna"})


def test_the_administrator_sees_keys_and_partners_but_no_personal_data(
    client_for: Callable[[str], Client], partner: Partner, case: Case, personas: dict[str, User]
) -> None:
    services.referral_send(
        actor=personas["vesna"],
        case=case,
        partner=partner,
        purpose="identify",
        fields=["prs_FirstName"],
    )
    page = client_for("ivan").get(reverse("transnational:index")).content.decode()
    assert services.own_public_keys().fingerprint in page
    assert "NRM North Macedonia" in page
    assert "Marko" not in page
    assert case.code not in page


def test_a_caseworker_sends_a_referral_in_serbian_with_a_field_removed(
    client_for: Callable[[str], Client], partner: Partner, case: Case
) -> None:
    client = client_for("vesna")
    url = reverse("transnational:send", args=[case.pk])
    page = client.get(url, {"purpose": "identify"}, HTTP_ACCEPT_LANGUAGE="sr").content.decode()
    assert "Име" in page or "Имена" in page
    assert 'value="prs_Citizenship"' in page
    response = client.post(
        url,
        {
            "partner": partner.pk,
            "purpose": "identify",
            "data_fields": ["prs_FirstName", "prs_Gender"],
        },
        HTTP_ACCEPT_LANGUAGE="sr",
    )
    referral = TransnationalReferral.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("transnational:referral", args=[referral.pk])
    sent = envelope.open_payload(Package.objects.get().envelope, [PARTNER])
    assert sorted(sent["data"]) == ["prs_FirstName", "prs_Gender"]
    detail = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'id="transnational-referrals"' in detail
    assert "NRM North Macedonia" in detail


def test_without_consent_the_send_page_says_so_and_nothing_is_sent(
    client_for: Callable[[str], Client], partner: Partner, personas: dict[str, User]
) -> None:
    case = accepted_case(personas["ana"], personas["vesna"])
    client = client_for("vesna")
    url = reverse("transnational:send", args=[case.pk])
    assert 'id="no-consent"' in client.get(url).content.decode()
    response = client.post(
        url, {"partner": partner.pk, "purpose": "identify", "data_fields": ["prs_FirstName"]}
    )
    assert response.status_code == 200
    assert "consent" in response.content.decode()
    assert not Package.objects.exists()


def test_the_receiver_reads_coded_values_in_serbian_and_the_senders_words_marked_as_such(
    client_for: Callable[[str], Client], partner: Partner
) -> None:
    referral = services.receive_envelope(from_partner("referral", REFERRAL))
    page = (
        client_for("vesna")
        .get(reverse("transnational:referral", args=[referral.pk]), HTTP_ACCEPT_LANGUAGE="sr")
        .content.decode()
    )
    assert "Северна Македонија" in page  # the partner country, named in Serbian by CLDR
    assert "Feminine" not in page
    assert "SexualExploitation" not in page
    assert 'id="sender-text"' in page
    assert "Лице е идентификувано во Скопје." in page


def test_the_receiver_accepts_through_the_page_and_a_case_is_opened(
    client_for: Callable[[str], Client], partner: Partner
) -> None:
    referral = services.receive_envelope(from_partner("referral", REFERRAL))
    client = client_for("vesna")
    url = reverse("transnational:referral", args=[referral.pk])
    response = client.post(url, {"do": "accept", "version": referral.version, "person": ""})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert referral.case is not None
    answered = client.post(url, {"do": "accept", "version": referral.version, "person": ""})
    assert answered.status_code == 200  # already answered: said on the page, nothing changes
    assert Case.objects.count() == 1
    statuses = [
        envelope.open_payload(p.envelope, [PARTNER])["status"]
        for p in Package.objects.filter(direction="out").order_by("id")
    ]
    assert statuses == ["received", "accepted"]
