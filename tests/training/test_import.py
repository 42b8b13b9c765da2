"""Importing an e-learning completion report: validated first, all or nothing, idempotent."""

from __future__ import annotations

from datetime import date

import pytest

from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from opennrm.core.errors import PermissionDeniedError
from opennrm.core.tabular import TabularError
from opennrm.training import services
from opennrm.training.importing import match_columns
from opennrm.training.models import Cohort, Enrolment, ModuleCompletion, Trainee
from opennrm.training.selectors import cohort_figures

GOOD = (
    "First name,Surname,Email address,Module 1: Introduction (Completion date),"
    "Module 2: Identification of victims,Module 3: Assistance and protection,Last access\n"
    "Mila,Perić,mila.peric@example.org,2020-04-10,2020-04-20,30.04.2020.,2020-05-01\n"
    "Ognjen,Rakić,ognjen.rakic@example.org,2020-04-12,,,2020-05-02\n"
).encode()

BAD = (
    "First name,Surname,Email address,Module 1: Introduction,Module 2: Identification of victims,"
    "Module 3: Assistance and protection\n"
    "Mila,Perić,mila.peric@example.org,2020-04-10,yesterday,2020-04-30\n"
    ",Rakić,ognjen.rakic@example.org,2020-03-01,,\n"
    "Vera,Ilić,not-an-email,,,\n"
).encode()


def test_a_good_file_enrols_learners_and_records_completion(
    personas: dict[str, User], cohort: Cohort
) -> None:
    result = services.completion_import(
        actor=personas["marija"], cohort=cohort, source=GOOD, filename="report.csv"
    )
    assert (result.rows, result.learners_created, result.enrolled) == (2, 2, 2)
    assert (result.completions_added, result.completed_course) == (4, 1)
    mila = Enrolment.objects.get(trainee__email="mila.peric@example.org")
    assert mila.completed_on == date(2020, 4, 30)
    assert mila.trainee.profession == "law_student"
    figures = cohort_figures(actor=personas["dragan"], cohort_code=cohort.code)
    assert (figures.enrolled, figures.completed_all_modules) == (2, 1)
    entry = AuditEntry.objects.filter(verb="training.completion_import").get()
    assert entry.changes["completions_added"] == [None, 4]


def test_a_bad_file_changes_nothing_and_names_each_row(
    personas: dict[str, User], cohort: Cohort
) -> None:
    with pytest.raises(TabularError) as caught:
        services.completion_import(
            actor=personas["marija"], cohort=cohort, source=BAD, filename="report.csv"
        )
    problems = [(e.row, e.column, e.message) for e in caught.value.errors]
    assert problems == [
        (
            2,
            "module_2_identification_of_victims",
            "“yesterday” is not a date (use YYYY-MM-DD or DD.MM.YYYY).",
        ),
        (3, "first_name", "The first name of a new learner is missing."),
        (
            3,
            "module_1_introduction",
            "The completion date 1 March 2020 is before the cohort started (1 April 2020).",
        ),
        (4, "email", "“not-an-email” is not an e-mail address."),
    ]
    assert caught.value.message == (
        "The file was not imported: 4 problems were found. Nothing was changed."
    )
    assert Trainee.objects.count() == 0
    assert ModuleCompletion.objects.count() == 0


def test_reimporting_the_same_file_adds_nothing(personas: dict[str, User], cohort: Cohort) -> None:
    services.completion_import(
        actor=personas["marija"], cohort=cohort, source=GOOD, filename="report.csv"
    )
    again = services.completion_import(
        actor=personas["marija"], cohort=cohort, source=GOOD, filename="report.csv"
    )
    assert (again.learners_created, again.enrolled, again.completions_added) == (0, 0, 0)
    assert ModuleCompletion.objects.count() == 4
    assert Enrolment.objects.count() == 2


def test_a_later_report_completes_the_course(personas: dict[str, User], cohort: Cohort) -> None:
    services.completion_import(
        actor=personas["marija"], cohort=cohort, source=GOOD, filename="report.csv"
    )
    later = GOOD.replace(b"2020-04-12,,,", b"2020-04-12,2020-05-03,2020-05-20,")
    result = services.completion_import(
        actor=personas["marija"], cohort=cohort, source=later, filename="report.csv"
    )
    assert (result.completions_added, result.completed_course) == (2, 2)
    ognjen = Enrolment.objects.get(trainee__email="ognjen.rakic@example.org")
    assert ognjen.completed_on == date(2020, 5, 20)


def test_the_column_mapping_is_saved_on_the_course_and_reused(
    personas: dict[str, User], cohort: Cohort
) -> None:
    course = cohort.course
    # A column the matcher would not recognise is read through the mapping saved for the course.
    services.course_set_column_mapping(
        actor=personas["marija"],
        course=course,
        expected_version=course.version,
        mapping={"quiz_b": "identification"},
    )
    cohort.refresh_from_db()
    renamed = GOOD.replace(b"Module 2: Identification of victims", b"Quiz B")
    result = services.completion_import(
        actor=personas["marija"], cohort=cohort, source=renamed, filename="report.csv"
    )
    assert (result.completions_added, result.completed_course) == (4, 1)
    course.refresh_from_db()
    assert course.column_mapping == {
        "quiz_b": "identification",
        "module_1_introduction_completion_date": "intro",
        "module_3_assistance_and_protection": "assistance",
    }


def test_only_trainers_may_import(personas: dict[str, User], cohort: Cohort) -> None:
    for username in ("dragan", "nada", "cedomir", "ivan", "vesna"):
        with pytest.raises(PermissionDeniedError):
            services.completion_import(
                actor=personas[username], cohort=cohort, source=GOOD, filename="report.csv"
            )
    assert Trainee.objects.count() == 0


def test_columns_are_matched_by_saved_mapping_code_title_then_number() -> None:
    modules = [(1, "intro", "Introduction"), (2, "law", "Legal standards"), (3, "ids", "Ids")]
    mapping = match_columns(
        ["m3_quiz", "legal_standards_completion", "intro", "last_access", "custom"],
        modules,
        {"custom": "law"},
    )
    assert mapping == {"custom": "law", "m3_quiz": "ids", "intro": "intro"}
