"""What entries hold: changed fields without encrypted values, targets, labels, request facts."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.db import models
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import isolate_apps
from django.utils import translation

from opennrm.accounts.models import Agency, User
from opennrm.audit import labels
from opennrm.audit.context import request_context
from opennrm.audit.models import AuditEntry
from opennrm.audit.selectors import record_history
from opennrm.audit.services import changes_of, record, target_of
from opennrm.core.fields import EncryptedTextField


@pytest.fixture
def note_model() -> Iterator[type[models.Model]]:
    with isolate_apps("opennrm.core"):

        class Note(models.Model):  # noqa: DJ008
            title = models.CharField(max_length=50)
            body = EncryptedTextField(blank=True)

            class Meta:
                app_label = "core"

        yield Note


def test_changes_never_hold_values_of_encrypted_fields(note_model: type[models.Model]) -> None:
    note = note_model(title="New title", body="Lives at Bulevar 12, phone 064 123 4567")
    before = {"title": "Old title", "body": "Lived at Knez Mihailova 3"}

    changes = changes_of(note, before, ["title", "body"])

    assert changes == {"title": ["Old title", "New title"], "body": None}
    stored = json.dumps(changes)
    assert "Bulevar" not in stored
    assert "Knez" not in stored


def test_unchanged_fields_are_left_out(note_model: type[models.Model]) -> None:
    note = note_model(title="Same", body="same secret")

    assert changes_of(note, {"title": "Same", "body": "same secret"}, ["title", "body"]) == {}


def test_the_target_is_typed_and_labelled_without_personal_data(
    personas: dict[str, User],
) -> None:
    vesna = personas["vesna"]

    assert target_of(vesna) == ("accounts.user", str(vesna.pk), vesna.audit_label)
    assert "Vesna" not in target_of(vesna)[2]


@pytest.mark.django_db
def test_an_entry_carries_the_actor_agency_and_client_address(personas: dict[str, User]) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10")

    with request_context(request):
        entry = record(actor=personas["vesna"], verb="case.view_pii", purpose="assigned case")

    entry.refresh_from_db()
    assert (entry.actor_label, entry.agency_label, entry.ip, entry.purpose) == (
        "vesna",
        "Centre for Human Trafficking Victims' Protection",
        "192.0.2.10",
        "assigned case",
    )


def test_registered_verbs_have_translated_labels_and_others_show_as_they_are() -> None:
    assert labels.label_for("auth.login") == "Signed in"
    with translation.override("sr"):
        assert labels.label_for("auth.login") == "Пријава"
    with translation.override("sr-latn"):
        assert labels.label_for("auth.login") == "Prijava"
    assert labels.label_for("nobody.registered_this") == "nobody.registered_this"


def test_an_app_can_register_its_own_verbs() -> None:
    labels.register({"test.thing_done": "Thing done"})

    assert labels.label_for("test.thing_done") == "Thing done"
    assert labels.registered()["test.thing_done"] == "Thing done"


@pytest.mark.django_db
def test_a_record_history_is_shown_only_to_those_who_may_see_the_record(
    personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    shelter = agencies["shelter"]
    record(
        actor=personas["ivan"],
        verb="agency.update",
        target=shelter,
        changes={"municipality": ["Beograd", "Novi Sad"]},
    )
    record(actor=personas["ivan"], verb="agency.update", target=agencies["astra"])

    history = record_history(actor=personas["ivan"], obj=shelter, view_action="agency.manage")
    refused = record_history(actor=personas["cedomir"], obj=shelter, view_action="agency.manage")

    assert [(e.verb, e.target_id) for e in history][:1] == [("agency.update", str(shelter.pk))]
    assert all(e.target_id == str(shelter.pk) for e in history)
    assert refused == []


@pytest.mark.django_db
def test_the_history_partial_shows_labels_and_changes_but_no_encrypted_values(
    personas: dict[str, User],
) -> None:
    entry = record(
        actor=personas["vesna"],
        verb="auth.login",
        changes={"status": ["referred", "identified"], "address": None},
    )

    html = render_to_string("audit/_history.html", {"history": [entry]})
    empty = render_to_string("audit/_history.html", {"history": []})

    assert "Signed in" in html
    assert "<strong>status</strong>: referred → identified" in html
    assert "<strong>address</strong> — changed (value encrypted, not kept in the trail)" in html
    assert "No recorded history to show." in empty


@pytest.mark.django_db
def test_login_and_failed_login_are_audited(client_for: object, personas: dict[str, User]) -> None:
    from django.test import Client

    Client().post("/accounts/login/", {"login": "nobody-here", "password": "wrong password 1"})

    failed = AuditEntry.objects.filter(verb="auth.login_failed").last()
    assert failed is not None
    assert (failed.actor_id, failed.actor_label) == (None, "nobody-here")
    assert "wrong password" not in json.dumps(failed.hash_values())
