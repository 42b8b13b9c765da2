"""Every key action says it was done, decisions start from today, and a service is started only
once accepted (issue 20)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client
from django.urls import reverse

from opennrm.accounts.models import Agency, User
from opennrm.cases import services
from tests.cases.helpers import accepted_case, fresh, identified_case, refer


def _follow(client: Client, url: str, data: dict[str, object]) -> str:
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_starting_the_assessment_is_confirmed(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    case = accepted_case(personas["ana"], personas["vesna"])
    url = reverse("cases:case_step", args=[case.pk, "begin_assessment"])
    page = _follow(client_for("vesna"), url, {"version": case.version})
    assert "The assessment has started." in page
    assert fresh(case).status == "under_assessment"


def test_accepting_a_referral_is_confirmed_with_the_case_code(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    referral = refer(personas["ana"])
    url = reverse("cases:referral_accept", args=[referral.pk])
    page = _follow(client_for("vesna"), url, {"version": referral.version})
    case = referral.__class__.objects.get(pk=referral.pk).case
    assert f"The referral was accepted and case {case.code} opened." in page


def test_the_decision_and_presumption_forms_start_from_today_in_belgrade(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    case = accepted_case(personas["ana"], personas["vesna"])
    services.case_begin_assessment(
        actor=personas["vesna"], case=case, expected_version=case.version
    )
    # 23:30 UTC on 4 December is already 5 December in Belgrade.
    with time_machine.travel(datetime(2026, 12, 4, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        client = client_for("vesna")
        for step in ("presume_victim", "not_identify"):
            page = client.get(reverse("cases:case_step", args=[case.pk, step])).content.decode()
            assert f'value="{date(2026, 12, 5).isoformat()}"' in page, step


def test_a_service_request_is_accepted_with_a_confirmation_and_only_then_can_start(
    personas: dict[str, User], agencies: dict[str, Agency], client_for: Callable[[str], Client]
) -> None:
    vesna = personas["vesna"]
    case = identified_case(personas["ana"], vesna)
    services.case_start_protection(actor=vesna, case=case, expected_version=case.version)
    request = services.service_request_create(
        actor=vesna, case=case, service_type="shelter", provider_agency=agencies["shelter"]
    )
    client = client_for("milan")
    start = reverse("cases:service_step", args=[request.pk, "start"])
    inbox = client.get(reverse("cases:service_inbox")).content.decode()
    assert start not in inbox  # not before the request is accepted
    accept = reverse("cases:service_step", args=[request.pk, "accept"])
    page = _follow(client, accept, {"version": request.version})
    assert "The service request was accepted." in page
    assert start in client.get(reverse("cases:service_inbox")).content.decode()
