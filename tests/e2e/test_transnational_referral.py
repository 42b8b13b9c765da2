"""A caseworker refers a case to a partner country in Serbian, in the browser, and follows it.

The partner platform is played by its key pair (tests/transnational/partner.py): its answers
arrive through ``services.receive_envelope`` exactly as the inbox hands them over.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from opennrm.accounts.models import User
from opennrm.cases import services as case_services
from opennrm.transnational import envelope, services
from opennrm.transnational.models import Package, TransnationalReferral
from tests.cases.helpers import accepted_case
from tests.transnational.partner import OUR_SEED, PARTNER, from_partner


@pytest.fixture
def serbia() -> Iterator[None]:
    with override_settings(
        OPENNRM_TRM_KEYS=base64.b64encode(OUR_SEED).decode(), OPENNRM_COUNTRY_CODE="RS"
    ):
        yield


def test_a_caseworker_refers_a_case_abroad_in_serbian_and_sees_the_partners_answers(
    page: Page,
    server_url: str,
    login_as: Callable[[Page, str], None],
    personas: dict[str, User],
    serbia: None,
) -> None:
    keys = PARTNER.public.as_text()
    services.partner_register(
        actor=personas["ivan"],
        country_code="MK",
        name="НРМ Северна Македонија",
        endpoint="https://nrm.example.mk/api/v1/transnational/inbox",
        sign_public=keys["sign_public"],
        box_public=keys["box_public"],
        fingerprint=PARTNER.public.fingerprint,
    )
    case = accepted_case(personas["ana"], personas["vesna"], citizenship=["MK"])

    page.context.add_cookies([{"name": "django_language", "value": "sr", "url": server_url}])
    login_as(page, "vesna")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Упути у партнерску државу").click()
    expect(page.locator("#no-consent")).to_be_visible()

    case_services.consent_record(actor=personas["vesna"], case=case, scope="transnational")
    page.reload()
    expect(page.locator("#no-consent")).to_have_count(0)
    page.locator("#id_purpose_pick").select_option("return")
    page.get_by_role("button", name="Прикажи потребне податке").click()
    expect(page.get_by_label("Држављанство: Северна Македонија")).to_be_checked()
    page.get_by_label("Језик: српски").uncheck()
    page.get_by_label("Порука партнеру").fill("Жели да се врати кући у Битољ.")
    page.get_by_role("button", name="Пошаљи упућивање").click()
    expect(page.get_by_text("Упућивање је на путу ка партнерској платформи.")).to_be_visible()
    expect(page.locator("#referral-status")).to_have_text("Послато")

    referral = TransnationalReferral.objects.get()
    sent = envelope.open_payload(Package.objects.get(direction="out").envelope, [PARTNER])
    assert "prs_PrimaryLanguage" not in sent["data"]
    assert sent["data"]["prs_Citizenship"] == ["MK"]
    assert sent["free_text"] == {"reason": "Жели да се врати кући у Битољ."}

    for status in ("received", "accepted", "reception_confirmed"):
        services.receive_envelope(
            from_partner("status", {"in_reply_to": str(referral.package_id), "status": status})
        )
    page.reload()
    expect(page.locator("#referral-status")).to_have_text("Пријем је потврђен")
    expect(page.locator("#updates")).to_contain_text("од партнера: Прихваћено")

    page.get_by_label("Процена ризика пре повратка").fill("Низак ризик: врбовалац је осуђен.")
    page.locator("#id_risk_level").select_option("low")
    page.get_by_role("button", name="Сачувај план повратка").click()
    expect(page.get_by_text("План повратка је сачуван.")).to_be_visible()
    page.get_by_label("Датум повратка").fill("2026-12-15")
    page.get_by_label("Праћење после повратка, датум").fill("2027-01-15")
    page.get_by_role("button", name="Евидентирај повратак").click()
    expect(page.locator("#referral-status")).to_have_text("Повратак је обављен")
    expect(page.locator("#returned")).to_be_visible()
    page.get_by_label("Шта је праћење утврдило").fill("Живи са породицом; уписана у школу.")
    page.get_by_role("button", name="Евидентирај праћење").click()
    expect(page.locator("#follow-up")).to_contain_text("Живи са породицом")

    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("#transnational-referrals")).to_contain_text("Повратак је обављен")
