"""Screening services: start, answers, submit and lock, versions, audit."""

from __future__ import annotations

import pytest

from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from opennrm.core.errors import (
    ConflictError,
    PermissionDeniedError,
    StaleRecordError,
    ValidationFailed,
)
from opennrm.screening import services
from opennrm.screening.catalogue_io import bundled_specs
from opennrm.screening.models import IndicatorCatalogue, Screening
from opennrm.screening.selectors import current_catalogue

from .helpers import ADULT_POSITIVE, answer, completed, start, submit

pytestmark = pytest.mark.django_db


def test_the_four_bundled_catalogues_are_loaded_as_version_1() -> None:
    loaded = {
        c.list_name: (c.version, c.indicators.count(), c.verified)
        for c in IndicatorCatalogue.objects.all()
    }
    assert loaded == {
        "adult_labour": (1, 67, True),
        "child_labour": (1, 65, True),
        "adult_sexual": (1, 67, False),
        "child_sexual": (1, 66, False),
    }


@pytest.mark.parametrize(
    ("age", "believed_child", "group"),
    [
        (17, False, "child"),
        (17, True, "child"),
        (18, False, "adult"),
        (None, False, "adult"),
        (None, True, "presumed_child"),
        (30, True, "adult"),
    ],
)
def test_age_rule(age: int | None, believed_child: bool, group: str) -> None:
    assert services.age_group_for(age=age, believed_child=believed_child) == group


def test_children_and_presumed_children_are_screened_on_the_child_lists(
    personas: dict[str, User],
) -> None:
    ana = personas["ana"]
    child = start(ana, age_group="child", exploitation=("labour", "sexual"))
    assert child.labour_catalogue.list_name == "child_labour"
    assert child.sexual_catalogue.list_name == "child_sexual"
    presumed = start(ana, age_group="presumed_child", age_reasons="Looks about 15, no papers.")
    assert presumed.labour_catalogue.list_name == "child_labour"
    assert presumed.is_child
    assert presumed.age_reasons == "Looks about 15, no papers."


def test_it_refuses_a_presumed_child_without_reasons(personas: dict[str, User]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        start(personas["ana"], age_group="presumed_child")
    assert caught.value.fields == {
        "age_reasons": "State why you believe the person may be a child."
    }


def test_it_refuses_a_screening_without_a_list(personas: dict[str, User]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        start(personas["ana"], exploitation=())
    assert caught.value.fields == {
        "exploitation": "Choose labour exploitation, sexual exploitation or both."
    }


@pytest.mark.parametrize("username", ["ivan", "jelena", "marija", "dragan", "milan", "zoran"])
def test_only_screeners_and_case_managers_can_screen(
    personas: dict[str, User], username: str
) -> None:
    with pytest.raises(PermissionDeniedError):
        start(personas[username])


def test_submit_freezes_the_result_and_locks_the_screening(personas: dict[str, User]) -> None:
    ana = personas["ana"]
    screening = completed(ana)
    assert screening.status == "submitted"
    assert screening.outcome == "indicators_of_trafficking"
    result = screening.result["adult_labour"]
    assert result["catalogue_version"] == 1
    assert result["outcome"] == "indicators_of_trafficking"
    assert "AL-VD-01" in result["gaps"]
    assert screening.result_summary == "Adults — labour exploitation: indicators present"
    with pytest.raises(ConflictError) as caught:
        answer(ana, screening, {"AL-DR-03": "present"})
    assert caught.value.message == (
        "This screening has been submitted and is locked; it can no longer be changed."
    )
    with pytest.raises(ConflictError):
        submit(ana, screening)
    with pytest.raises(ConflictError):
        services.screening_discard(
            actor=ana, screening=screening, expected_version=screening.version
        )


def test_unanswered_questions_are_gaps_not_indicators(personas: dict[str, User]) -> None:
    screening = completed(personas["ana"], answers={"AL-DR-01": "present"})
    result = screening.result["adult_labour"]
    assert result["outcome"] == "insufficient_indicators"
    assert len(result["gaps"]) == 66


def test_only_the_screener_can_change_a_draft(personas: dict[str, User]) -> None:
    screening = start(personas["ana"])
    with pytest.raises(PermissionDeniedError):
        answer(personas["vesna"], screening, {"AL-DR-01": "present"})


def test_a_stale_save_is_refused(personas: dict[str, User]) -> None:
    ana = personas["ana"]
    screening = start(ana)
    stale = Screening.objects.get(pk=screening.pk)
    answer(ana, screening, {"AL-DR-01": "present"})
    with pytest.raises(StaleRecordError):
        answer(ana, stale, {"AL-DR-01": "absent"})
    assert dict(screening.answers.values_list("indicator__code", "value")) == {
        "AL-DR-01": "present"
    }


def test_it_names_codes_that_are_not_questions_of_this_screening(personas: dict[str, User]) -> None:
    screening = start(personas["ana"])
    with pytest.raises(ValidationFailed) as caught:
        answer(personas["ana"], screening, {"CL-DR-01": "present", "AL-DR-01": "yes"})
    assert caught.value.fields == {
        "CL-DR-01": "“CL-DR-01” is not a question of this screening.",
        "AL-DR-01": "Answer present, absent or not known.",
    }


def test_observations_are_encrypted_at_rest_and_audited_without_content(
    personas: dict[str, User],
) -> None:
    from django.db import connection

    ana = personas["ana"]
    screening = start(ana)
    answer(ana, screening, {}, observations="Worker sleeps in the greenhouse.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT observations FROM screening_screening WHERE id = %s", [screening.pk])
        stored = cursor.fetchone()[0]
    assert "greenhouse" not in stored
    entry = AuditEntry.objects.filter(verb="screening.update").latest("pk")
    assert entry.changes == {"answers_changed": 0, "observations": None}
    assert entry.target_label == screening.audit_label
    assert "Petrović" not in entry.target_label


def test_old_screenings_keep_their_catalogue_version_and_result(personas: dict[str, User]) -> None:
    ana = personas["ana"]
    old = completed(ana)
    spec = next(s for s in bundled_specs() if s.list_name == "adult_labour")
    stricter = type(spec)(
        list_name=spec.list_name,
        source="national list 2021",
        verified=True,
        rules={**spec.rules, "combinations": [{"name": "x", "minimum": {"strong": 3}}]},
        indicators=spec.indicators,
    )
    new_catalogue = services.catalogue_import(actor=None, spec=stricter)
    assert new_catalogue.version == 2
    assert current_catalogue("adult_labour") == new_catalogue
    old.refresh_from_db()
    assert old.labour_catalogue.version == 1
    assert old.outcome == "indicators_of_trafficking"
    new = completed(ana)
    assert new.labour_catalogue.version == 2
    assert new.outcome == "insufficient_indicators"
    assert AuditEntry.objects.filter(verb="screening.catalogue_import").count() == 1


def test_result_summary_flags_unverified_lists_and_presumed_children(
    personas: dict[str, User],
) -> None:
    screening = completed(
        personas["ana"],
        answers={},
        age_group="presumed_child",
        exploitation=("labour", "sexual"),
        age_reasons="School bag, says 16.",
    )
    assert screening.result_summary == (
        "Children — labour exploitation: insufficient indicators; "
        "Children — sexual exploitation: insufficient indicators (unverified list)"
        " — presumed child, screened on the child list"
    )


def test_submitting_writes_one_audit_entry(personas: dict[str, User]) -> None:
    screening = completed(personas["ana"], answers=ADULT_POSITIVE)
    entry = AuditEntry.objects.get(verb="screening.submit")
    assert entry.changes == {"outcome": [None, "indicators_of_trafficking"]}
    assert entry.target_id == str(screening.pk)


def test_screening_for_referral_follows_the_view_scope(personas: dict[str, User]) -> None:
    from opennrm.accounts import policy
    from opennrm.core.errors import NotFoundError
    from opennrm.screening.selectors import screening_for_referral

    screening = completed(personas["ana"])
    assert screening_for_referral(actor=personas["ana"], pk=screening.pk) == screening
    assert screening_for_referral(actor=personas["vesna"], pk=screening.pk) == screening
    for username in ("cedomir", "jelena", "ivan", "milan", "dragan"):
        with pytest.raises(NotFoundError):
            screening_for_referral(actor=personas[username], pk=screening.pk)
    assert policy.can(personas["ana"], "screening.view", screening)
    assert not policy.can(personas["cedomir"], "screening.view", screening)
    assert screening.is_child is False
