"""A provider is offered only the steps the workflow allows (issue 20: "Start" was offered before
a service request was accepted, and the service itself let a request start unaccepted)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from opennrm.accounts.models import Agency, User
from opennrm.cases import services, vocab
from opennrm.core.errors import ConflictError, DomainError
from tests.cases.helpers import identified_case


def _request(personas: dict[str, User], agencies: dict[str, Agency]):  # type: ignore[no-untyped-def]
    vesna = personas["vesna"]
    case = identified_case(personas["ana"], vesna)
    services.case_start_protection(actor=vesna, case=case, expected_version=case.version)
    return services.service_request_create(
        actor=vesna, case=case, service_type="shelter", provider_agency=agencies["shelter"]
    )


def test_a_request_cannot_start_before_it_is_accepted(
    personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    request = _request(personas, agencies)
    with pytest.raises((ConflictError, DomainError)):
        services.service_request_respond(
            actor=personas["milan"], request=request, expected_version=request.version, step="start"
        )
    request.refresh_from_db()
    assert request.status == "requested"


def test_the_steps_allowed_follow_the_workflow() -> None:
    steps = vocab.service_steps_from
    assert steps("requested") == ["accept", "decline"]
    assert steps("accepted") == ["start", "complete"]
    assert steps("in_progress") == ["complete"]
    assert steps("completed") == steps("declined") == []


def _offered(page: str, pk: int) -> list[str]:
    return re.findall(rf"/cases/services/{pk}/(accept|decline|start|complete)/", page)


def test_the_inbox_offers_exactly_the_steps_the_service_allows(
    personas: dict[str, User], agencies: dict[str, Agency], client_for: Callable[[str], Client]
) -> None:
    milan = personas["milan"]
    request = _request(personas, agencies)
    client = client_for("milan")
    for step in ("accept", "start", "complete"):
        page = client.get(reverse("cases:service_inbox")).content.decode()
        assert _offered(page, request.pk) == vocab.service_steps_from(request.status), step
        request = services.service_request_respond(
            actor=milan, request=request, expected_version=request.version, step=step
        )
    page = client.get(reverse("cases:service_inbox")).content.decode()
    assert _offered(page, request.pk) == []
