"""Field work on the server: device keys, remote wipe, sync applied once, conflicts kept."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from opennrm.cases import services as cases
from opennrm.cases.models import CaseNote, Referral
from opennrm.field import services
from opennrm.field.models import FieldDevice, SyncItem
from opennrm.screening.models import Screening
from tests.cases.helpers import accepted_case
from tests.screening.helpers import ADULT_POSITIVE

pytestmark = pytest.mark.django_db

API = "/api/v1/field"
Clients = Callable[[str], Client]


def _key(client: Client, device: str) -> Any:
    return client.get(f"{API}/devices/{device}/key")


def _item(kind: str, payload: dict[str, Any], **kw: Any) -> dict[str, Any]:
    made = timezone.now() - dt.timedelta(hours=3)
    return (
        {"id": str(uuid.uuid4()), "kind": kind, "device_time": made.isoformat()}
        | kw
        | {"payload": payload}
    )


def _sync(client: Client, device: str, *items: dict[str, Any]) -> Any:
    return client.post(
        f"{API}/sync",
        {"device_id": device, "items": list(items)},
        content_type="application/json",
    )


def _device(client: Client) -> str:
    device = str(uuid.uuid4())
    assert _key(client, device).status_code == 200
    return device


def _screening(**over: Any) -> dict[str, Any]:
    return {
        "age_group": "adult",
        "exploitation": ["labour"],
        "place": "Bus station",
        "answers": ADULT_POSITIVE,
        "observations": "Passport held by the foreman.",
        "device_outcome": "indicators_of_trafficking",
    } | over


def test_the_key_is_released_to_its_signed_in_user_and_sealed_at_rest(
    client_for: Clients, personas: dict[str, User]
) -> None:
    device = str(uuid.uuid4())
    first = _key(client_for("ana"), device).json()
    again = _key(client_for("ana"), device).json()
    assert first["key"] == again["key"]
    assert len(__import__("base64").b64decode(first["key"])) == 32
    assert first["offline_days"] == 7
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM field_fielddevice")
        (stored,) = cursor.fetchone()
    assert first["key"] not in stored
    assert stored.startswith("enc1")
    assert AuditEntry.objects.filter(verb="field.key_release", actor=personas["ana"]).count() == 2
    # Another user presenting the same device id gets nothing; roles that do not work in the
    # field get nothing; nor does anyone signed out.
    assert _key(client_for("cedomir"), device).status_code == 404
    assert _key(client_for("jelena"), device).status_code == 403
    assert _key(Client(), device).status_code == 401


def test_a_screening_synced_twice_is_applied_once_through_the_engine_and_audited(
    client_for: Clients, personas: dict[str, User]
) -> None:
    client = client_for("ana")
    device = _device(client)
    item = _item("screening", _screening())
    first = _sync(client, device, item).json()["results"][0]
    assert first["status"] == "applied"
    assert first["screening"]["outcome"] == "indicators_of_trafficking"
    assert first["screening"]["agrees_with_device"] is True
    again = _sync(client, device, item).json()["results"][0]
    assert again["repeat"] is True
    assert again["screening"] == first["screening"]
    screening = Screening.objects.get()
    assert screening.status == "submitted"
    assert screening.screener == personas["ana"]
    assert dict(screening.answers.values_list("indicator__code", "value")) == ADULT_POSITIVE
    entry = AuditEntry.objects.get(verb="field.sync")
    assert entry.changes["item"] == item["id"]
    assert (
        entry.changes["device_time"] == dt.datetime.fromisoformat(item["device_time"]).isoformat()
    )
    arrived = dt.datetime.fromisoformat(entry.changes["arrived_at"])
    assert arrived > dt.datetime.fromisoformat(item["device_time"])
    assert SyncItem.objects.get().status == "applied"


def test_the_server_decides_when_the_device_disagrees(client_for: Clients) -> None:
    client = client_for("ana")
    device = _device(client)
    item = _item("screening", _screening(answers={"AL-DR-01": "present"}))
    result = _sync(client, device, item).json()["results"][0]
    assert result["screening"]["outcome"] == "insufficient_indicators"
    assert result["screening"]["agrees_with_device"] is False


def test_a_referral_drafted_offline_follows_its_screening(
    client_for: Clients, personas: dict[str, User]
) -> None:
    client = client_for("ana")
    device = _device(client)
    screening = _item("screening", _screening())
    referral = _item(
        "referral",
        {
            "screening_item": screening["id"],
            "given_names": "Marko",
            "family_name": "Jovanović",
            "year_of_birth": 1990,
            "consent_given": True,
        },
    )
    results = _sync(client, device, screening, referral).json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    made = Referral.objects.get()
    assert made.source_screening == Screening.objects.get()
    assert made.subject_family_name == "Jovanović"


def test_a_referral_before_its_screening_is_refused_and_changes_nothing(
    client_for: Clients,
) -> None:
    client = client_for("ana")
    device = _device(client)
    referral = _item(
        "referral",
        {"screening_item": "not-synced-yet", "given_names": "A", "family_name": "B"},
    )
    result = _sync(client, device, referral).json()["results"][0]
    assert result["status"] == "refused"
    assert result["error"]["code"] == "screening_not_synced"
    assert not Referral.objects.exists()
    assert not SyncItem.objects.exists()
    # The refusal is audited too, with the device time.
    assert AuditEntry.objects.get(verb="field.sync").changes["status"] == "refused"


def test_an_unknown_kind_is_refused_whole(client_for: Clients) -> None:
    client = client_for("ana")
    device = _device(client)
    response = _sync(client, device, _item("screening", _screening()), _item("payment", {}))
    assert response.status_code == 400
    assert not Screening.objects.exists()


def _note_case(personas: dict[str, User]) -> CaseNote:
    case = accepted_case(personas["ana"], personas["vesna"])
    return cases.case_note_add(
        actor=personas["vesna"], case=case, body="Met at the shelter.", sensitivity=2
    )


def _edit(note: CaseNote, body: str | None = None, sensitivity: int | None = None) -> Any:
    changes: dict[str, Any] = {}
    if body is not None:
        changes["body"] = body
    if sensitivity is not None:
        changes["sensitivity"] = sensitivity
    return _item(
        "note_edit",
        {
            "note_id": note.pk,
            "base_version": 1,
            "base": {"body": "Met at the shelter.", "sensitivity": 2},
            "changes": changes,
        },
    )


def test_two_devices_editing_one_note_field_get_a_conflict_and_nothing_is_lost(
    client_for: Clients, personas: dict[str, User]
) -> None:
    note = _note_case(personas)
    client = client_for("vesna")
    phone, tablet = _device(client), _device(client)
    first = _sync(client, phone, _edit(note, "Met at the shelter; wants to go home."))
    assert first.json()["results"][0]["status"] == "applied"
    second = _sync(client, tablet, _edit(note, "Met at the shelter with her sister."))
    result = second.json()["results"][0]
    assert result["status"] == "conflict"
    assert result["conflicts"]["body"] == {
        "device": "Met at the shelter with her sister.",
        "server": "Met at the shelter; wants to go home.",
        "base": "Met at the shelter.",
    }
    note.refresh_from_db()
    assert note.body == "Met at the shelter; wants to go home."
    assert note.version == 2
    # The device's text is kept on the server too (sealed) until resolved.
    kept = SyncItem.objects.get(item_id=result["id"])
    assert kept.status == "conflict"
    assert "with her sister" in kept.response
    with connection.cursor() as cursor:
        cursor.execute("SELECT response FROM field_syncitem WHERE id = %s", [kept.pk])
        assert "sister" not in cursor.fetchone()[0]
    # Resolved on the device in favour of its own text: re-based on the server's version.
    resolved = _item(
        "note_edit",
        {
            "note_id": note.pk,
            "base_version": result["note"]["version"],
            "base": {"body": result["conflicts"]["body"]["server"]},
            "changes": {"body": "Met at the shelter with her sister."},
        },
    )
    assert _sync(client, tablet, resolved).json()["results"][0]["status"] == "applied"
    note.refresh_from_db()
    assert note.body == "Met at the shelter with her sister."
    assert note.version == 3


def test_edits_of_different_fields_merge(client_for: Clients, personas: dict[str, User]) -> None:
    note = _note_case(personas)
    client = client_for("vesna")
    phone, tablet = _device(client), _device(client)
    _sync(client, phone, _edit(note, sensitivity=3))
    result = _sync(client, tablet, _edit(note, body="Met at the shelter twice."))
    assert result.json()["results"][0]["status"] == "applied"
    note.refresh_from_db()
    assert (note.body, note.sensitivity) == ("Met at the shelter twice.", 3)


def test_only_the_author_edits_a_note(client_for: Clients, personas: dict[str, User]) -> None:
    note = _note_case(personas)
    client = client_for("milan")
    device = _device(client)
    result = _sync(client, device, _edit(note, "Changed by someone else.")).json()["results"][0]
    assert result["status"] == "refused"
    note.refresh_from_db()
    assert note.body == "Met at the shelter."


def test_merge_fields_applies_untouched_fields_and_reports_clashes() -> None:
    base = {"body": "a", "sensitivity": 2}
    theirs = {"body": "b", "sensitivity": 2}
    assert services.merge_fields(base, {"body": "c", "sensitivity": 3}, theirs) == (
        {"sensitivity": 3},
        ["body"],
    )
    assert services.merge_fields(base, {"body": "b"}, theirs) == ({}, [])


def test_remote_wipe_is_answered_at_the_next_contact(
    client_for: Clients, personas: dict[str, User]
) -> None:
    client = client_for("ana")
    device = _device(client)
    contact = f"{API}/devices/{device}/contact"
    assert Client().get(contact).json() == {"wipe": False}
    with pytest.raises(services.PermissionDeniedError):
        services.device_wipe_request(actor=personas["vesna"], user=personas["ana"])
    assert services.device_wipe_request(actor=personas["ivan"], user=personas["ana"]) == 1
    assert Client().get(contact).json() == {"wipe": True}
    assert _key(client, device).status_code == 410
    assert _sync(client, device, _item("screening", _screening())).status_code == 410
    assert not Screening.objects.exists()
    assert Client().post(f"{API}/devices/{device}/wiped").status_code == 204
    assert FieldDevice.objects.get(device_id=device).wiped_at is not None
    assert AuditEntry.objects.filter(verb="field.wipe_request").count() == 1
    # A new device id starts afresh for a user who may still work.
    assert _key(client, str(uuid.uuid4())).status_code == 200


def test_a_locked_out_user_s_device_is_told_to_wipe(
    client_for: Clients, personas: dict[str, User], settings: Any
) -> None:
    from axes.models import AccessAttempt

    client = client_for("ana")
    device = _device(client)
    AccessAttempt.objects.create(
        username="ana", failures_since_start=settings.AXES_FAILURE_LIMIT, ip_address="10.0.0.1"
    )
    assert Client().get(f"{API}/devices/{device}/contact").json() == {"wipe": True}


def test_signing_out_clears_the_site_data(client_for: Clients) -> None:
    response = client_for("ana").post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"storage"'


def test_the_service_worker_controls_the_site_and_caches_the_shell(client_for: Clients) -> None:
    response = Client().get("/field/sw.js")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    for url in ("/field/", "/field/catalogues.json", "/static/field/rules.js"):
        assert f'"{url}"' in body
    manifest = Client().get("/field/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    assert manifest.json()["start_url"] == "/field/"


def test_catalogues_for_field_roles_only(client_for: Clients) -> None:
    data = client_for("ana").get("/field/catalogues.json").json()
    assert sorted(c["list"] for c in data["lists"]) == [
        "adult_labour",
        "adult_sexual",
        "child_labour",
        "child_sexual",
    ]
    assert set(data["wording"]) == {"en", "sr", "sr-latn"}
    assert client_for("jelena").get("/field/catalogues.json").status_code == 403
    assert client_for("jelena").get("/field/").status_code == 403


def test_work_holds_the_caseworker_s_cases_and_nothing_for_others(
    client_for: Clients, personas: dict[str, User]
) -> None:
    note = _note_case(personas)
    work = client_for("vesna").get(f"{API}/work").json()
    assert [c["code"] for c in work["cases"]] == [note.case.code]
    assert work["cases"][0]["notes"][0]["body"] == "Met at the shelter."
    assert AuditEntry.objects.filter(verb="case.view_pii", target_id=str(note.case.pk)).exists()
    assert client_for("cedomir").get(f"{API}/work").json() == {"cases": []}
    assert client_for("jelena").get(f"{API}/work").status_code == 403


def test_an_administrator_wipes_a_user_s_devices_from_the_devices_page(
    client_for: Clients, personas: dict[str, User]
) -> None:
    device = _device(client_for("ana"))
    page = client_for("ivan").get("/field/devices/")
    assert page.status_code == 200
    assert "ana" in page.content.decode()
    for name in ("vesna", "ana", "cedomir"):
        assert client_for(name).get("/field/devices/").status_code == 403
        assert (
            client_for(name).post(f"/field/devices/wipe/{personas['ana'].pk}/").status_code == 403
        )
    assert FieldDevice.objects.get(device_id=device).wipe_requested_at is None
    response = client_for("ivan").post(f"/field/devices/wipe/{personas['ana'].pk}/")
    assert response.status_code == 302
    assert FieldDevice.objects.get(device_id=device).wipe_requested_by == personas["ivan"]
    assert Client().get(f"{API}/devices/{device}/contact").json() == {"wipe": True}


def test_field_work_is_in_the_navigation_of_field_roles_once(client_for: Clients) -> None:
    for name, shown in (("ana", 1), ("vesna", 1), ("milan", 1), ("jelena", 0), ("ivan", 0)):
        page = client_for(name).get("/").content.decode()
        assert page.count('href="/field/"') == shown, name


def test_a_service_provider_gets_the_app_without_screening(client_for: Clients) -> None:
    page = client_for("milan").get("/field/").content.decode()
    assert 'id="fw-work"' in page
    assert 'id="fw-new"' not in page
    assert 'id="fw-new"' in client_for("ana").get("/field/").content.decode()
