"""One refusal, one answer: a page and the API refuse the same request with the same status
(issue 16). Domain errors are Django's own refusals, so every view and API operation answers
them through the one error path (``core.views.permission_denied`` / ``not_found``)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opennrm.accounts.models import Agency, User
from opennrm.cases import services
from opennrm.cases.models import ShelterStay
from opennrm.core.errors import NotFoundError, PermissionDeniedError
from tests.cases.helpers import identified_case

pytestmark = pytest.mark.django_db


def test_domain_refusals_are_djangos_refusals() -> None:
    assert issubclass(PermissionDeniedError, PermissionDenied)
    assert issubclass(NotFoundError, Http404)


def _stay(personas: dict[str, User], agencies: dict[str, Agency]) -> ShelterStay:
    vesna = personas["vesna"]
    case = identified_case(personas["ana"], vesna)
    return services.shelter_stay_start(
        actor=vesna, case=case, admitted_on=timezone.localdate(), shelter=agencies["shelter"]
    )


@pytest.mark.parametrize("outsider", ["ana", "jelena", "marija", "dragan"])
def test_ending_a_shelter_stay_is_refused_alike_on_the_page_and_in_the_api(
    personas: dict[str, User],
    agencies: dict[str, Agency],
    client_for: Callable[[str], Client],
    outsider: str,
) -> None:
    stay = _stay(personas, agencies)
    client = client_for(outsider)
    today = timezone.localdate().isoformat()
    page = client.post(
        reverse("cases:stay_end", args=[stay.pk]),
        {"version": stay.version, "left_on": today, "exit_reason": "family"},
    )
    api = client.post(
        f"/api/v1/cases/shelter-stays/{stay.pk}/end/",
        json.dumps({"version": stay.version, "left_on": today, "exit_reason": "family"}),
        content_type="application/json",
    )
    assert (page.status_code, api.status_code) == (404, 404)
    assert api.json()["error"]["code"] == "not_found"
    assert ShelterStay.objects.get(pk=stay.pk).left_on is None
    # A stay that does not exist answers the same as one the user may not touch.
    missing = client.post(
        reverse("cases:stay_end", args=[stay.pk + 1000]),
        {"version": 1, "left_on": today, "exit_reason": "family"},
    )
    assert missing.status_code == 404
