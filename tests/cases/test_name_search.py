"""Names never in URLs, every name search audited (issue 13, finding 7)."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from opennrm.cases.models import Case
from tests.cases.helpers import accepted_case

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str], Client]
API = "/api/v1/cases"
NAME = "Jelisaveta Radovanović"


@pytest.fixture
def case(personas: dict[str, User]) -> Case:
    return accepted_case(
        personas["ana"], personas["vesna"], given_names="Jelisaveta", family_name="Radovanović"
    )


def _name_searches() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(verb="case.search_name").order_by("id"))


def test_the_page_searches_by_post_and_the_url_carries_only_an_opaque_token(
    client_for: ClientFor, personas: dict[str, User], case: Case
) -> None:
    vesna = client_for("vesna")
    form = vesna.get(reverse("cases:case_list")).content.decode()
    assert 'method="post"' in form
    assert "hx-get" not in form
    assert "hx-push-url" not in form

    response = vesna.post(reverse("cases:case_list"), {"q": NAME, "status": ""})

    assert response.status_code == 302
    location = response["Location"]
    assert "Radovanovi" not in location
    assert "Jelisaveta" not in location
    assert "q=" not in location
    assert "search=" in location
    listing = vesna.get(location).content.decode()
    assert case.code in listing
    entries = _name_searches()
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor == personas["vesna"]
    assert entry.changes == {"name_index": [None, case.person.name_index]}
    assert "Radovanovi" not in json.dumps(entry.changes) + entry.purpose


def test_a_search_token_is_useless_in_another_session(
    client_for: ClientFor, personas: dict[str, User], case: Case
) -> None:
    location = client_for("vesna").post(reverse("cases:case_list"), {"q": NAME})["Location"]
    other = Client()
    other.force_login(personas["vesna"])

    page = other.get(location).content.decode()

    assert case.code not in page
    assert "This search has expired. Search again." in page
    assert _name_searches() == []  # the search never ran


@pytest.mark.names_in_logs_allowed("sends a name in the URL to show it is not searched")
def test_a_name_in_the_query_string_is_not_searched(client_for: ClientFor, case: Case) -> None:
    response = client_for("vesna").get(reverse("cases:case_list") + f"?q={quote(NAME)}")

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_list")
    assert _name_searches() == []


@pytest.mark.names_in_logs_allowed("sends a name in the URL to show it is refused")
def test_the_api_refuses_a_name_in_the_url_and_searches_it_by_post(
    client_for: ClientFor, personas: dict[str, User], case: Case
) -> None:
    vesna = client_for("vesna")
    refused = vesna.get(f"{API}/cases/?q={quote(NAME)}")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "name_in_url"
    assert _name_searches() == []

    found = vesna.post(
        f"{API}/cases/search/", json.dumps({"q": NAME}), content_type="application/json"
    )

    assert found.status_code == 200
    assert [item["code"] for item in found.json()["items"]] == [case.code]
    assert [e.actor for e in _name_searches()] == [personas["vesna"]]
    # A code prefix is no name: it still works in the URL and is not a name search.
    by_code = vesna.get(f"{API}/cases/?q={case.code}").json()
    assert [item["code"] for item in by_code["items"]] == [case.code]
    assert len(_name_searches()) == 1


def test_the_purpose_goes_in_a_header_never_in_the_url(
    client_for: ClientFor, personas: dict[str, User], case: Case
) -> None:
    vesna = client_for("vesna")
    purpose = "Supervision: Jelisaveta's file"
    in_url = vesna.get(f"{API}/cases/{case.pk}/?purpose={quote(purpose)}")
    assert in_url.status_code == 400
    assert in_url.json()["error"]["code"] == "purpose_in_url"

    response = vesna.get(f"{API}/cases/{case.pk}/", headers={"X-Purpose": quote(purpose)})

    assert response.status_code == 200
    entry = AuditEntry.objects.filter(verb="case.view_pii").latest("id")
    assert (entry.actor, entry.purpose) == (personas["vesna"], purpose)
