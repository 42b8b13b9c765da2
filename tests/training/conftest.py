from __future__ import annotations

from datetime import date

import pytest

from opennrm.accounts.models import Agency, User
from opennrm.training import services
from opennrm.training.models import Cohort, Course


@pytest.fixture
def course(personas: dict[str, User]) -> Course:
    return services.course_create(
        actor=personas["marija"],
        code="help-thb",
        title="HELP: Combating trafficking in human beings",
        modules=[
            ("intro", "Introduction"),
            ("identification", "Identification of victims"),
            ("assistance", "Assistance and protection"),
        ],
    )


@pytest.fixture
def cohort(course: Course, personas: dict[str, User], agencies: dict[str, Agency]) -> Cohort:
    return services.cohort_create(
        actor=personas["marija"],
        course=course,
        code="help-2020-law-students",
        title="Law students 2020",
        target_group="law_students",
        start=date(2020, 4, 1),
        end=date(2020, 6, 30),
        organiser=agencies["coe"],
    )
