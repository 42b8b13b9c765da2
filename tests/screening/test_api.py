"""Screening API: catalogues, evaluate (with its 400s), screenings scoped by the policy."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from opennrm.accounts.models import User

from .helpers import ADULT_POSITIVE, completed, start

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]
API = "/api/v1/screening"


def test_catalogues_list_the_four_lists_with_the_verified_flag(client_for: Clients) -> None:
    data = client_for("ana").get(f"{API}/catalogues/").json()
    assert [(c["list"], c["version"], c["verified"], c["indicator_count"]) for c in data] == [
        ("adult_labour", 1, True, 67),
        ("adult_sexual", 1, False, 67),
        ("child_labour", 1, True, 65),
        ("child_sexual", 1, False, 66),
    ]
    assert data[1]["verified_note"] == "unverified list"


def test_a_catalogue_gives_labels_in_three_languages(client_for: Clients) -> None:
    data = client_for("ana").get(f"{API}/catalogues/adult_labour/").json()
    first = data["indicators"][0]
    assert first["code"] == "AL-DR-01"
    assert first["dimension"] == "deceptive_recruitment"
    assert first["strength"] == "strong"
    assert first["label"] == {
        "en": "Deceived about the nature of the job, location or employer",
        "sr": "Обмана о природи посла, месту рада или послодавцу",
        "sr_latn": "Obmana o prirodi posla, mestu rada ili poslodavcu",
    }
    missing = client_for("ana").get(f"{API}/catalogues/teen_labour/")
    assert missing.status_code == 404


def _evaluate(client: Client, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.post(f"{API}/evaluate", payload, content_type="application/json")
    return response.status_code, response.json()


def test_evaluate_returns_outcome_dimensions_and_explanation(client_for: Clients) -> None:
    present = [c for c, v in ADULT_POSITIVE.items() if v == "present"]
    status, data = _evaluate(
        client_for("ana"),
        {"catalogue": "adult_labour", "present": present, "unknown": ["AL-VD-01"]},
    )
    assert status == 200
    assert data["outcome"] == "indicators_of_trafficking"
    coercion = next(d for d in data["dimensions"] if d["dimension"] == "coercion_at_destination")
    assert coercion == {
        "dimension": "coercion_at_destination",
        "counts": {"strong": 2, "medium": 0, "weak": 0},
        "positive": True,
        "rule": "a",
        "deciding": ["AL-CD-01", "AL-CD-03"],
        "present": ["AL-CD-01", "AL-CD-03"],
        "unknown": [],
        "missing": {},
    }
    assert data["gaps"] == ["AL-VD-01"]
    assert (
        data["explanation"]["headline"] == "Screening result — indicators of trafficking present."
    )
    vulnerability = data["explanation"]["dimensions"][5]
    assert vulnerability["text"] == (
        "Not positive: no indicator present. A positive dimension needs 3 medium indicators more."
    )


def test_evaluate_for_a_child_explains_the_child_rule(client_for: Clients) -> None:
    status, data = _evaluate(
        client_for("ana"),
        {"catalogue": "child_labour", "present": ["CL-DR-01", "CL-DR-10", "CL-EX-01", "CL-EX-02"]},
    )
    assert status == 200
    assert data["outcome"] == "indicators_of_trafficking"
    assert data["explanation"]["notes"][0].startswith("Child list: the means")


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        (
            {"catalogue": "adult_labour", "present": ["AL-XX-99"]},
            {"AL-XX-99": "“AL-XX-99” is not an indicator of the list adult_labour."},
        ),
        (
            {"catalogue": "adult_labour", "present": ["CL-DR-01"]},
            {"CL-DR-01": "“CL-DR-01” belongs to the list child_labour, not to adult_labour."},
        ),
        (
            {"catalogue": "adult_labour", "present": ["AL-DR-01", "AL-DR-01"]},
            {"AL-DR-01": "“AL-DR-01” is given twice."},
        ),
        (
            {"catalogue": "adult_labour", "present": ["AL-DR-01"], "unknown": ["AL-DR-01"]},
            {"AL-DR-01": "“AL-DR-01” is given both as present and as not known."},
        ),
    ],
)
def test_evaluate_names_each_bad_code(
    client_for: Clients, payload: dict[str, object], fields: dict[str, str]
) -> None:
    status, data = _evaluate(client_for("ana"), payload)
    assert status == 400
    code = next(iter(fields))
    assert data == {
        "error": {
            "code": "validation_error",
            "message": f"These codes cannot be evaluated: {code}.",
            "fields": fields,
        }
    }


def test_evaluate_refuses_an_unknown_list_and_non_screeners(client_for: Clients) -> None:
    status, data = _evaluate(client_for("ana"), {"catalogue": "teen_labour", "present": []})
    assert status == 400
    assert data["error"]["message"] == "Unknown list “teen_labour”."
    status, data = _evaluate(client_for("ivan"), {"catalogue": "adult_labour", "present": []})
    assert status == 403


def test_screening_crud_through_the_api(client_for: Clients) -> None:
    ana = client_for("ana")
    created = ana.post(
        f"{API}/screenings",
        {"exploitation": ["labour"], "age": 16, "place": "Novi Sad"},
        content_type="application/json",
    )
    assert created.status_code == 201
    data = created.json()
    assert data["age_group"] == "child"
    assert data["lists"] == [{"list": "child_labour", "version": 1, "verified": True}]
    pk, version = data["id"], data["version"]
    updated = ana.patch(
        f"{API}/screenings/{pk}",
        {"version": version, "answers": {"CL-DR-01": "present"}, "observations": "notes"},
        content_type="application/json",
    )
    assert updated.status_code == 200
    assert updated.json()["answers"] == {"CL-DR-01": "present"}
    stale = ana.patch(
        f"{API}/screenings/{pk}",
        {"version": version, "answers": {}},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_record"
    submitted = ana.post(
        f"{API}/screenings/{pk}/submit", {"version": version + 1}, content_type="application/json"
    )
    assert submitted.status_code == 200
    body = submitted.json()
    assert body["status"] == "submitted"
    assert body["results"][0]["outcome"] == "insufficient_indicators"
    assert body["result_summary"] == "Children — labour exploitation: insufficient indicators"
    locked = ana.patch(
        f"{API}/screenings/{pk}",
        {"version": body["version"], "answers": {"CL-DR-02": "present"}},
        content_type="application/json",
    )
    assert locked.status_code == 409
    assert locked.json()["error"]["code"] == "screening_locked"
    assert ana.delete(f"{API}/screenings/{pk}?version={body['version']}").status_code == 409


def test_a_draft_can_be_deleted_by_its_screener_only(
    client_for: Clients, personas: dict[str, User]
) -> None:
    draft = start(personas["ana"])
    assert client_for("vesna").delete(f"{API}/screenings/{draft.pk}?version=1").status_code == 403
    assert client_for("ana").delete(f"{API}/screenings/{draft.pk}?version=1").status_code == 204
    assert client_for("ana").get(f"{API}/screenings/{draft.pk}").status_code == 404


def test_screenings_are_scoped_by_the_policy(
    client_for: Clients, personas: dict[str, User]
) -> None:
    screening = completed(personas["ana"])
    own = client_for("ana").get(f"{API}/screenings").json()
    assert [s["code"] for s in own["items"]] == [screening.code]
    assert client_for("vesna").get(f"{API}/screenings").json()["count"] == 1
    assert client_for("cedomir").get(f"{API}/screenings").json() == {"items": [], "count": 0}
    for username in ("cedomir",):
        assert client_for(username).get(f"{API}/screenings/{screening.pk}").status_code == 404
    for username in ("ivan", "jelena", "marija", "dragan"):
        assert client_for(username).get(f"{API}/screenings").json()["count"] == 0
        assert client_for(username).get(f"{API}/screenings/{screening.pk}").status_code == 404
