"""A home for every role (issue 20): "what needs me today", each item linked to its own page,
within the access policy, in a bounded number of queries whatever the size of the register."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opennrm.accounts import policy
from opennrm.accounts.models import Agency, User
from opennrm.cases import services as cases
from opennrm.cases.models import ServiceRequest
from opennrm.cases.vocab import ServiceType
from opennrm.statistics.dashboard import reporting_deadlines
from opennrm.training import services as training
from opennrm.training.models import Course, Profession
from tests.cases.helpers import identified_case

pytestmark = pytest.mark.django_db


def _home(client: Client) -> str:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def _course(marija: User) -> Course:
    return training.course_create(
        actor=marija,
        code="help-test",
        title="HELP course",
        provider="Council of Europe HELP Programme",
        edition="test",
        modules=[("m1", "Module one", "Модул један")],
    )


def _trainer_world(marija: User, agencies: dict[str, Agency], n: int = 1, tag: str = "") -> None:
    today = timezone.localdate()
    course = _course(marija) if not Course.objects.exists() else Course.objects.get()
    for i in range(n):
        training.cohort_create(
            actor=marija,
            course=course,
            code=f"running-{tag}{i}",
            title=f"Running cohort {i}",
            target_group="mixed",
            start=today - timedelta(days=5),
            end=today + timedelta(days=5),
            organiser=agencies["judicial_academy"],
        )
        ended = training.cohort_create(
            actor=marija,
            course=course,
            code=f"ended-{tag}{i}",
            title=f"Ended cohort {i}",
            target_group="mixed",
            start=today - timedelta(days=40),
            end=today - timedelta(days=10),
            organiser=agencies["judicial_academy"],
        )
        trainee = training.trainee_register(
            actor=marija,
            first_name="Petar",
            last_name="Trainee",
            email=f"petar.{tag}{i}@example.org",
            profession=Profession.PROSECUTOR,
        )
        training.enrolment_create(actor=marija, cohort=ended, trainee=trainee)
        training.event_create(
            actor=marija,
            code=f"held-{tag}{i}",
            title=f"Held seminar {i}",
            kind="seminar",
            start=today - timedelta(days=3),
            end=today - timedelta(days=3),
            organiser=agencies["judicial_academy"],
        )
        training.event_create(
            actor=marija,
            code=f"soon-{tag}{i}",
            title=f"Coming seminar {i}",
            kind="seminar",
            start=today + timedelta(days=4),
            end=today + timedelta(days=4),
            organiser=agencies["judicial_academy"],
        )


def test_the_trainers_home_links_to_each_cohort_and_event_that_needs_her(
    personas: dict[str, User], agencies: dict[str, Agency], client_for: Callable[[str], Client]
) -> None:
    _trainer_world(personas["marija"], agencies)
    page = _home(client_for("marija"))
    # Completion report to import, attendance to record: missing from the old panel, which
    # showed only running cohorts and coming events (empty with the demo's 2020 trainings).
    assert f'href="{reverse("training:import", args=["ended-0"])}"' in page
    assert "completions to import" in page
    assert f'href="{reverse("training:event", args=["held-0"])}"' in page
    assert "attendance to record" in page
    assert f'href="{reverse("training:cohort", args=["running-0"])}"' in page
    assert f'href="{reverse("training:event", args=["soon-0"])}"' in page
    assert "Choose a section" not in page


def test_the_auditors_home_lists_accesses_to_review_and_the_chain(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    vesna = personas["vesna"]
    case = identified_case(personas["ana"], vesna)
    grant = policy.break_glass(actor=vesna, obj=case, reason="Court order 12/26, urgent.")
    page = _home(client_for("zoran"))
    assert "Break-the-glass accesses to review" in page
    # The review button of this very access, and the trail of the record it opened.
    assert f'action="{reverse("accounts:break_glass_review", args=[grant.pk])}"' in page
    assert f"target_type=cases.case&amp;target_id={case.pk}" in page
    assert "The chain has not been verified yet." in page
    # The purpose is read on the review page; the home shows no victim's name.
    assert "Jovanović" not in page
    client_for("zoran").post(reverse("audit:verify"))
    assert "Last verified" in _home(client_for("zoran"))


def test_the_statisticians_home_names_the_returns_due_with_their_release(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    page = _home(client_for("sanja"))
    assert "Statistics: what is due" in page
    for deadline in reporting_deadlines(timezone.localdate()):
        assert deadline.url.replace("&", "&amp;") in page
    # Nobody who does not report figures gets the panel.
    for name in ("vesna", "marija", "zoran", "milan"):
        assert "Statistics: what is due" not in _home(client_for(name))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # Early in a year: last year's annual return and the last quarter's release.
        (date(2027, 1, 10), [(date(2027, 1, 30), "Q4 2026"), (date(2027, 3, 31), "2026")]),
        # Mid-quarter, nothing due within 45 days; then the quarter that ends next.
        (date(2027, 5, 20), []),
        (date(2027, 6, 20), [(date(2027, 7, 30), "Q2 2027")]),
        # December: the quarter and the coming annual return.
        (date(2026, 12, 6), [(date(2027, 3, 31), "2026")]),
        (date(2026, 12, 20), [(date(2027, 1, 30), "Q4 2026"), (date(2027, 3, 31), "2026")]),
    ],
)
def test_reporting_deadlines_follow_the_calendar(today: date, expected: list) -> None:
    found = reporting_deadlines(today)
    assert [d.due for d in found] == [due for due, _label in expected]
    for deadline, (_due, label) in zip(found, expected, strict=True):
        assert label in str(deadline.label)


def test_the_providers_home_links_straight_to_the_case_of_each_request(
    personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    vesna, milan = personas["vesna"], personas["milan"]
    case = identified_case(personas["ana"], vesna)
    cases.case_start_protection(actor=vesna, case=case, expected_version=case.version)
    asked = cases.service_request_create(
        actor=vesna, case=case, service_type=ServiceType.SHELTER, provider_agency=milan.agency
    )
    # Asked four days ago: the answer is due tomorrow, so the request is on the home page.
    ServiceRequest.objects.filter(pk=asked.pk).update(
        requested_at=timezone.now() - timedelta(days=4)
    )
    asked.refresh_from_db()
    page = _home(client_for("milan"))
    case_url = reverse("cases:case_detail", args=[case.pk])
    # Before: the row linked to the whole inbox, not to the request to answer.
    assert f'<a href="{case_url}">{case.code}</a>' in page
    assert f'<a href="{reverse("cases:service_inbox")}">{case.code}</a>' not in page
    cases.service_request_respond(
        actor=milan, request=asked, expected_version=asked.version, step="accept"
    )
    page = _home(client_for("milan"))
    assert "Accepted services to start" in page
    assert f'<a href="{case_url}">{case.code}</a>' in page
    assert "Jovanović" not in page  # the home shows codes, never names


def _cases_world(personas: dict[str, User], n: int) -> None:
    vesna, milan = personas["vesna"], personas["milan"]
    for _i in range(n):
        case = identified_case(personas["ana"], vesna)
        cases.case_start_protection(actor=vesna, case=case, expected_version=case.version)
        for kind in (ServiceType.SHELTER, ServiceType.PSYCHOLOGICAL):
            cases.service_request_create(
                actor=vesna, case=case, service_type=kind, provider_agency=milan.agency
            )
    first = ServiceRequest.objects.filter(service_type=ServiceType.SHELTER, status="requested")
    for request in first:
        cases.service_request_respond(
            actor=milan, request=request, expected_version=request.version, step="accept"
        )
    policy.break_glass(
        actor=vesna, obj=ServiceRequest.objects.first().case, reason="Court order, urgent."
    )


def _queries(client: Client, django_assert_max_num_queries: Callable, limit: int) -> None:
    with django_assert_max_num_queries(limit):
        _home(client)


@pytest.mark.parametrize(
    "name", ["vesna", "milan", "marija", "zoran", "sanja", "ana", "jelena", "ivan", "nada"]
)
def test_each_home_takes_as_many_queries_for_a_larger_register(
    name: str,
    personas: dict[str, User],
    agencies: dict[str, Agency],
    client_for: Callable[[str], Client],
    django_assert_num_queries: Callable,
) -> None:
    """Counts and the first few rows: no query per record (N+1), whatever the volume."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(name)
    _home(client)  # sessions, content types and caches warm

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _home(client)
        return len(queries)

    _cases_world(personas, 2)
    _trainer_world(personas["marija"], agencies, 2)
    small = count()
    _cases_world(personas, 8)
    _trainer_world(personas["marija"], agencies, 8, tag="more")
    large = count()
    assert large == small, f"{name}'s home: {small} queries, then {large} for a larger register"
    assert large <= 40, f"{name}'s home takes {large} queries"


def test_the_administrators_home_lists_role_requests_to_decide(
    personas: dict[str, User], agencies: dict[str, Agency], client_for: Callable[[str], Client]
) -> None:
    from opennrm.accounts.services import user_create

    newcomer = user_create(
        actor=personas["ivan"],
        username="new.screener",
        agency=agencies["police_bg"],
        roles=["screener"],
        password="demo-Trafika-2026-x",
    )
    page = _home(client_for("ivan"))
    assert "Role requests awaiting a second administrator" in page
    assert f'href="{reverse("accounts:user", args=[newcomer.pk])}"' in page
    assert f'href="{reverse("accounts:grants")}"' in page
