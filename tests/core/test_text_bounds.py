"""Every stored text has a maximum length (issue 13, finding 4): forms, API, models, database.

The finding: a 1 MB name, note, cohort title, meeting minutes and token name were all accepted.
The class is closed by ``core.fields.BoundedTextField`` (form, model, value written, database
CHECK), the plaintext limit of ``EncryptedTextField``, the CharField guard on save, and the system
check ``core.E101``/``E102`` that refuses an unbounded text field in any model.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from django import forms
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.test import Client
from django.test.utils import isolate_apps
from django.urls import reverse

from opennrm.accounts.models import Agency, User
from opennrm.cases.models import CaseNote, Person
from opennrm.core.checks import text_field_errors, text_fields_are_bounded
from opennrm.core.fields import LONG_TEXT, BoundedTextField, EncryptedTextField, TextTooLong
from tests.cases.helpers import accepted_case

MEGABYTE = "x" * 1_000_000


def test_every_text_field_of_every_model_is_bounded() -> None:
    assert text_fields_are_bounded() == []


@isolate_apps("opennrm.core")
def test_the_check_refuses_an_unbounded_text_field() -> None:
    class Loose(models.Model):  # noqa: DJ008 - a model for the check only
        note = models.TextField()
        code = models.CharField()
        body = EncryptedTextField()
        fine = BoundedTextField(max_length=10)

        class Meta:
            app_label = "core"

    assert [(error.id, error.obj.name) for error in text_field_errors(Loose)] == [
        ("core.E102", "note"),
        ("core.E101", "code"),
        ("core.E101", "body"),
    ]


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_text_field_is_bounded() -> None:
    for app in settings.OPENNRM_APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)

    def third_party(form: type, name: str) -> bool:
        """Declared by a library's form (allauth's two-factor code), not by ours."""
        return any(
            not base.__module__.startswith("opennrm.") and name in getattr(base, "base_fields", {})
            for base in form.__mro__[1:]
        )

    unbounded = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in set(_subclasses(forms.BaseForm))
        if form.__module__.startswith("opennrm.")
        for name, field in getattr(form, "base_fields", {}).items()
        if isinstance(field, forms.CharField)
        and field.max_length is None
        and not third_party(form, name)
    ]
    assert unbounded == []


# --- The finding's probes, through the API and the pages ---------------------------------------


def _json(client: Client, url: str, payload: dict[str, object]) -> tuple[int, dict[str, object]]:
    response = client.post(url, payload, content_type="application/json")
    return response.status_code, response.json()


def test_a_megabyte_name_in_a_referral_is_a_400_naming_the_field(
    client_for: Callable[[str], Client], personas: dict[str, User]
) -> None:
    # A megabyte stops at the request's schema (no string longer than a document)...
    status, body = _json(
        client_for("ana"),
        "/api/v1/cases/referrals/",
        {
            "given_names": MEGABYTE,
            "family_name": "Jovanović",
            "consent_given": True,
            "consent_scope": ["referral"],
        },
    )
    assert status == 400
    error = body["error"]
    assert isinstance(error, dict)
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == ["given_names"]
    # ...and a name longer than a name may be, at the service, which says the bound.
    status, body = _json(
        client_for("ana"),
        "/api/v1/cases/referrals/",
        {
            "given_names": "x" * 1000,
            "family_name": "Jovanović",
            "consent_given": True,
            "consent_scope": ["referral"],
        },
    )
    assert status == 400
    error = body["error"]
    assert isinstance(error, dict)
    assert error["code"] == "text_too_long"
    assert error["fields"] == {
        "subject_given_names": "“Given names” is too long: at most 200 characters are allowed, "
        "this text has 1000."
    }
    assert Person.objects.count() == 0


def test_a_megabyte_note_is_a_400_naming_the_field(
    client_for: Callable[[str], Client], personas: dict[str, User]
) -> None:
    case = accepted_case(personas["ana"], personas["vesna"])
    status, body = _json(
        client_for("vesna"), f"/api/v1/cases/cases/{case.pk}/notes/", {"body": MEGABYTE}
    )
    assert status == 400
    assert list(body["error"]["fields"]) == ["body"]  # type: ignore[index]
    assert CaseNote.objects.count() == 0


def test_a_megabyte_cohort_title_is_a_400_naming_the_field(
    client_for: Callable[[str], Client], personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    from opennrm.training import services
    from opennrm.training.models import Cohort

    course = services.course_create(
        actor=personas["marija"], code="help-thb", title="HELP", modules=[("intro", "Intro")]
    )
    status, body = _json(
        client_for("marija"),
        "/api/v1/training/cohorts",
        {
            "course_code": course.code,
            "code": "c-2020",
            "title": MEGABYTE,
            "target_group": "judges",
            "start": "2020-04-01",
            "end": "2020-06-30",
            "organiser_id": agencies["coe"].pk,
        },
    )
    assert status == 400, body
    assert list(body["error"]["fields"]) == ["title"]  # type: ignore[index]
    assert not Cohort.objects.exists()


def test_a_megabyte_token_name_is_a_400_naming_the_field(
    client_for: Callable[[str], Client], personas: dict[str, User]
) -> None:
    status, body = _json(
        client_for("dragan"), "/api/v1/accounts/tokens", {"name": MEGABYTE, "areas": ["monitoring"]}
    )
    assert status == 400
    assert "name" in body["error"]["fields"]  # type: ignore[operator,index]
    assert not personas["dragan"].api_tokens.exists()


def test_megabyte_meeting_minutes_are_a_form_error_naming_the_field(
    client_for: Callable[[str], Client], personas: dict[str, User]
) -> None:
    from opennrm.monitoring import services
    from opennrm.monitoring.models import Meeting

    services.action_create(
        actor=personas["dragan"],
        code="RS-THB",
        title="Preventing and combating trafficking",
        starts_on=date(2020, 1, 1),
        ends_on=date(2022, 12, 31),
        budget=1_000_000,
        currency="EUR",
    )
    response = client_for("dragan").post(
        reverse("monitoring:meetings"),
        {
            "held_on": "2021-03-10",
            "place": "Online",
            "title": "Steering Committee",
            "minutes": "x" * 200_000,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "minutes": ["Ensure this value has at most 100000 characters (it has 200000)."]
    }
    assert not Meeting.objects.exists()


# --- The model and the database hold the limit when forms and schemas are bypassed ------------


def test_a_service_writing_a_too_long_text_raises_text_too_long(
    personas: dict[str, User],
) -> None:
    case = accepted_case(personas["ana"], personas["vesna"])
    from opennrm.cases import services

    with pytest.raises(TextTooLong) as caught:
        services.case_note_add(
            actor=personas["vesna"], case=case, body="x" * (LONG_TEXT + 1), sensitivity=1
        )
    assert caught.value.fields == {
        "body": "“Note” is too long: at most 20000 characters are allowed, this text has 20001."
    }


def test_an_encrypted_value_is_bounded_before_encryption_also_in_bulk(db: None) -> None:
    with pytest.raises(TextTooLong):
        Person.objects.bulk_create([Person(code="RS-2026-09999", family_name="x" * 201)])
    assert Person.objects.count() == 0


def test_the_database_refuses_a_too_long_text_written_around_the_orm(
    personas: dict[str, User],
) -> None:
    from opennrm.monitoring import services
    from opennrm.monitoring.models import Action

    action = services.action_create(
        actor=personas["dragan"],
        code="RS-THB",
        title="Preventing and combating trafficking",
        starts_on=date(2020, 1, 1),
        ends_on=date(2022, 12, 31),
        budget=1_000_000,
        currency="EUR",
    )
    table = Action._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET objective = %s WHERE id = %s",
            ["x" * (LONG_TEXT + 1), action.pk],
        )
