"""Issue 13, finding 7, against a live server: names never travel in a URL, the purpose of a
read goes in a header, every search by name is audited without the name — and the role ×
endpoint matrix of the new search endpoints."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest

from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from opennrm.cases.models import Case
from tests.cases.helpers import accepted_case
from tests.security.conftest import Session, csrf_from

NAME = "Milica Stanković"


@pytest.fixture
def case(personas: dict[str, User]) -> Case:
    return accepted_case(
        personas["ana"], personas["vesna"], given_names="Milica", family_name="Stanković"
    )


def test_the_search_page_never_puts_the_name_in_the_address(
    sign_in: Callable[[str], Session], case: Case, personas: dict[str, User]
) -> None:
    vesna = sign_in("vesna")
    page = vesna.get("/cases/")
    response = vesna.post(
        "/cases/",
        data={"csrfmiddlewaretoken": csrf_from(page.text), "q": NAME},
        headers={"Referer": vesna.base_url + "/cases/"},
    )

    assert response.status_code == 200
    assert case.code in response.text
    for hop in [*response.history, response]:
        assert "Stankovi" not in hop.url
        assert "Stankovi" not in hop.headers.get("Location", "")
    entry = AuditEntry.objects.get(verb="case.search_name")
    assert entry.actor == personas["vesna"]
    assert "Stankovi" not in str(entry.changes) + entry.purpose


@pytest.mark.names_in_logs_allowed("the probe sends a name in the URL to show it is refused")
def test_a_name_in_the_url_is_refused_and_not_searched(
    sign_in: Callable[[str], Session], case: Case
) -> None:
    vesna = sign_in("vesna")

    page = vesna.get(f"/cases/?q={quote(NAME)}")
    api = vesna.get(f"/api/v1/cases/cases/?q={quote(NAME)}")
    purpose = vesna.get(f"/api/v1/cases/cases/{case.pk}/?purpose={quote('About ' + NAME)}")

    assert page.url == vesna.base_url + "/cases/"  # sent back to the form, nothing searched
    assert (api.status_code, api.json()["error"]["code"]) == (400, "name_in_url")
    assert (purpose.status_code, purpose.json()["error"]["code"]) == (400, "purpose_in_url")
    assert not AuditEntry.objects.filter(verb="case.search_name").exists()


def test_the_api_searches_by_name_in_the_body_and_takes_the_purpose_in_a_header(
    sign_in: Callable[[str], Session], case: Case, personas: dict[str, User]
) -> None:
    vesna = sign_in("vesna")
    found = vesna.api("POST", "/api/v1/cases/cases/search/", json={"q": NAME})
    read = vesna.get(
        f"/api/v1/cases/cases/{case.pk}/", headers={"X-Purpose": quote("Supervision of a file")}
    )

    assert [item["code"] for item in found.json()["items"]] == [case.code]
    assert AuditEntry.objects.filter(verb="case.search_name", actor=personas["vesna"]).count() == 1
    assert read.status_code == 200
    assert AuditEntry.objects.filter(verb="case.view_pii").latest("id").purpose == (
        "Supervision of a file"
    )


# Who may use the endpoints this work added: the case search by name (page and API).
SEARCHERS = {"vesna", "milan"}
EVERYONE = (
    "ana",
    "vesna",
    "milan",
    "jelena",
    "marija",
    "dragan",
    "nada",
    "zoran",
    "ivan",
    "cedomir",
)


def test_role_by_endpoint_matrix_of_the_search_endpoints(
    sign_in: Callable[[str], Session], case: Case
) -> None:
    failures = []
    for username in EVERYONE:
        session = sign_in(username)
        page = session.get("/cases/")
        api = session.api("POST", "/api/v1/cases/cases/search/", json={"q": NAME})
        allowed = username in SEARCHERS
        if allowed:
            posted = session.post(
                "/cases/",
                data={"csrfmiddlewaretoken": csrf_from(page.text), "q": NAME},
                headers={"Referer": session.base_url + "/cases/"},
            )
            ok = page.status_code == 200 and posted.status_code == 200 and api.status_code == 200
        else:
            posted = session.post(
                "/cases/",
                data={"csrfmiddlewaretoken": session.csrf(), "q": NAME},
                headers={"Referer": session.base_url + "/cases/"},
            )
            ok = (
                page.status_code in (403, 404)
                and posted.status_code in (403, 404)
                and api.status_code in (403, 404)
            )
        if not ok:
            failures.append(
                f"{username}: {page.status_code} {posted.status_code} {api.status_code}"
            )
    assert not failures, failures
    searchers = set(
        AuditEntry.objects.filter(verb="case.search_name").values_list("actor_label", flat=True)
    )
    assert searchers == SEARCHERS
