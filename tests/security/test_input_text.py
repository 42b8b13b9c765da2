"""Issue 13, finding 4, against a live server: a megabyte of text where a name or a note goes.

The review saw a 1 MB name, note, cohort title, meeting minutes and token name all accepted. Each
is sent again, by the API or the page, as the role that may write it: refused, the field named,
nothing stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from opennrm.accounts.models import Agency, User
from opennrm.cases.models import CaseNote, Person
from tests.cases.helpers import accepted_case
from tests.security.conftest import Session, csrf_from

MEGABYTE = "x" * 1_000_000


def test_a_megabyte_of_text_is_refused_with_the_field_named_everywhere(
    sign_in: Callable[[str], Session], personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    from opennrm.monitoring import services as monitoring
    from opennrm.monitoring.models import Meeting
    from opennrm.training import services as training
    from opennrm.training.models import Cohort

    case = accepted_case(personas["ana"], personas["vesna"])
    course = training.course_create(
        actor=personas["marija"], code="help-thb", title="HELP", modules=[("intro", "Intro")]
    )
    monitoring.action_create(
        actor=personas["dragan"],
        code="RS-THB",
        title="Preventing and combating trafficking",
        starts_on=date(2020, 1, 1),
        ends_on=date(2022, 12, 31),
        budget=1_000_000,
        currency="EUR",
    )
    people_before = Person.objects.count()

    ana = sign_in("ana")
    name = ana.api(
        "POST",
        "/api/v1/cases/referrals/",
        json={
            "given_names": MEGABYTE,
            "family_name": "Jovanović",
            "consent_given": True,
            "consent_scope": ["referral"],
        },
    )
    assert name.status_code == 400
    assert "given_names" in name.json()["error"]["fields"]
    assert Person.objects.count() == people_before

    vesna = sign_in("vesna")
    note = vesna.api("POST", f"/api/v1/cases/cases/{case.pk}/notes/", json={"body": MEGABYTE})
    assert note.status_code == 400
    assert list(note.json()["error"]["fields"]) == ["body"]
    assert not CaseNote.objects.exists()

    marija = sign_in("marija")
    cohort = marija.api(
        "POST",
        "/api/v1/training/cohorts",
        json={
            "course_code": course.code,
            "code": "c-2020",
            "title": MEGABYTE,
            "target_group": "judges",
            "start": "2020-04-01",
            "end": "2020-06-30",
            "organiser_id": agencies["coe"].pk,
        },
    )
    assert cohort.status_code == 400
    assert list(cohort.json()["error"]["fields"]) == ["title"]
    assert not Cohort.objects.exists()

    dragan = sign_in("dragan")
    token = dragan.api(
        "POST", "/api/v1/accounts/tokens", json={"name": MEGABYTE, "areas": ["monitoring"]}
    )
    assert token.status_code == 400
    assert "name" in token.json()["error"]["fields"]
    assert not personas["dragan"].api_tokens.exists()

    page = dragan.get("/monitoring/meetings/")
    minutes = dragan.post(
        "/monitoring/meetings/",
        data={
            "csrfmiddlewaretoken": csrf_from(page.text),
            "held_on": "2021-03-10",
            "place": "Online",
            "title": "Steering Committee",
            "minutes": MEGABYTE,
        },
        headers={"Referer": dragan.base_url + "/monitoring/meetings/"},
    )
    assert minutes.status_code == 200
    assert "Ensure this value has at most 100000 characters (it has 1000000)." in minutes.text
    assert not Meeting.objects.exists()
