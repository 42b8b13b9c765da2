"""The monitoring API: figures, recommendations, follow-ups and report files; refusals."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.monitoring.conftest import World

pytestmark = pytest.mark.django_db

BASE = "/api/v1/monitoring"


def test_the_logframe_api_returns_live_and_entered_values(world: World, client_for) -> None:
    response = client_for("nada").get(f"{BASE}/logframe?on=2020-10-31")
    assert response.status_code == 200
    body = response.json()
    indicators = {i["code"]: i for r in body["results"] for i in r["indicators"]}
    assert indicators["1.1"]["actual"] == "3.00"
    assert indicators["2.1"]["actual_display"] == "25"
    assert indicators["2.1"]["live_metric"] == "monitoring.recommendations_implemented"
    assert [f["name"] for f in body["funders"]] == ["European Union", "Council of Europe"]


@pytest.mark.parametrize("username", ["cedomir", "ivan", "vesna", "zoran", "marija"])
def test_the_api_refuses_everyone_but_coordinators(
    world: World, client_for: Callable[[str], Client], username: str
) -> None:
    client = client_for(username)
    for url in ("/logframe", "/budget", "/recommendations", "/meetings", "/follow-ups"):
        response = client.get(BASE + url)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert response.json()["error"]["code"] in ("forbidden", "not_found")


def test_a_stale_recommendation_patch_gets_409(world: World, client_for) -> None:
    rec = world.recommendations[1]
    client = client_for("dragan")
    ok = client.patch(
        f"{BASE}/recommendations/{rec.pk}",
        {"version": 1, "status": "partly", "evidence": "Law adopted"},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert (ok.json()["status"], ok.json()["version"]) == ("partly", 2)
    stale = client.patch(
        f"{BASE}/recommendations/{rec.pk}",
        {"version": 1, "status": "fully"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_record"


def test_the_owner_closes_a_follow_up_through_the_api(world: World, client_for) -> None:
    client = client_for("nada")
    mine = client.get(f"{BASE}/follow-ups?mine=true").json()
    assert [item["text"] for item in mine["items"]] == ["Circulate the 2021 work plan."]
    done = client.post(
        f"{BASE}/follow-ups/{world.follow_up.pk}/done",
        {"version": world.follow_up.version},
        content_type="application/json",
    )
    assert done.status_code == 200
    assert done.json()["done"] is True
    assert client.get(f"{BASE}/follow-ups?mine=true").json()["count"] == 0


def test_a_report_file_is_generated_through_the_api(
    world: World, client_for, django_capture_on_commit_callbacks, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = client_for("dragan")
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(
            f"{BASE}/reports/{world.report.pk}/files",
            {"format": "html", "language": "en"},
            content_type="application/json",
        )
    assert queued.status_code == 202
    status = client.get(f"{BASE}/reports/{world.report.pk}/files/{queued.json()['id']}").json()
    assert status["status"] == "done"
    download = client.get(status["download_url"])
    assert "Circulate the 2021 work plan." in b"".join(download.streaming_content).decode()
    refused = client_for("cedomir").get(
        f"{BASE}/reports/{world.report.pk}/files/{queued.json()['id']}"
    )
    assert refused.status_code in (403, 404)


def test_meetings_decisions_follow_ups_and_values_are_recorded_through_the_api(
    world: World, client_for, agencies
) -> None:
    client = client_for("nada")
    created = client.post(
        f"{BASE}/meetings",
        {
            "held_on": "2021-03-10",
            "place": "Online",
            "title": "March 2021",
            "participant_agency_ids": [agencies["eud"].pk],
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    meeting_id = created.json()["id"]
    assert created.json()["participants"] == ["EUD"]
    decided = client.post(
        f"{BASE}/meetings/{meeting_id}/decisions",
        {"text": "Adopt the plan."},
        content_type="application/json",
    )
    assert decided.json()["decisions"] == ["Adopt the plan."]
    refused = client.post(
        f"{BASE}/meetings/{meeting_id}/follow-ups",
        {"text": "Do it.", "owner": "vesna", "due_on": "2021-04-01"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"] == {
        "owner": "The owner must be someone who can see the monitoring records."
    }
    assigned = client.post(
        f"{BASE}/meetings/{meeting_id}/follow-ups",
        {"text": "Do it.", "owner": "dragan", "due_on": "2021-04-01"},
        content_type="application/json",
    )
    assert (assigned.status_code, assigned.json()["owner"]) == (201, "dragan")
    value = client.post(
        f"{BASE}/indicators/{world.manual.pk}/values",
        {"measured_on": "2020-12-31", "value": "4", "source": "Gazette"},
        content_type="application/json",
    )
    assert value.status_code == 201
    live = client.post(
        f"{BASE}/indicators/{world.live.pk}/values",
        {"measured_on": "2020-12-31", "value": "4", "source": "Guess"},
        content_type="application/json",
    )
    assert live.status_code == 409
    cedomir = client_for("cedomir").post(
        f"{BASE}/meetings/{meeting_id}/decisions",
        {"text": "Mine."},
        content_type="application/json",
    )
    assert cedomir.status_code in (403, 404)


def test_a_meeting_naming_an_unknown_agency_is_refused_and_not_recorded(
    world: World, client_for, agencies
) -> None:
    """Unknown participant ids were dropped without a word; now the field is named and nothing
    is recorded."""
    from opennrm.monitoring.models import Meeting

    before = Meeting.objects.count()
    refused = client_for("nada").post(
        f"{BASE}/meetings",
        {
            "held_on": "2021-03-10",
            "place": "Online",
            "title": "March 2021",
            "participant_agency_ids": [agencies["eud"].pk, 987_654],
        },
        content_type="application/json",
    )
    assert refused.status_code == 404, refused.content
    assert "participant_agency_ids" in refused.json()["error"]["fields"]
    assert Meeting.objects.count() == before
