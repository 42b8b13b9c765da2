"""A small action built through the monitoring services, as Dragan (coordinator) would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from opennrm.accounts.models import Agency, User
from opennrm.monitoring import services
from opennrm.monitoring.models import (
    Action,
    Activity,
    FollowUp,
    GretaRecommendation,
    Indicator,
    Meeting,
    ProgressReport,
)
from opennrm.monitoring.services import RecommendationData


@dataclass
class World:
    action: Action
    manual: Indicator
    live: Indicator
    activity: Activity
    recommendations: list[GretaRecommendation]
    meeting: Meeting
    follow_up: FollowUp
    report: ProgressReport


@pytest.fixture
def world(personas: dict[str, User], agencies: dict[str, Agency]) -> World:
    return build_world(personas, agencies)


def build_world(personas: dict[str, User], agencies: dict[str, Agency]) -> World:
    dragan, nada = personas["dragan"], personas["nada"]
    action = services.action_create(
        actor=dragan,
        code="test-action",
        title="Preventing trafficking in Serbia",
        programme="Horizontal Facility",
        starts_on=date(2020, 1, 1),
        ends_on=date(2021, 12, 31),
        budget=Decimal(750_000),
        funders=[("European Union", Decimal(85)), ("Council of Europe", Decimal(15))],
    )
    r1 = services.result_create(actor=dragan, action=action, number=1, title="Labour exploitation")
    r2 = services.result_create(actor=dragan, action=action, number=2, title="Child victims")
    manual = services.indicator_create(
        actor=dragan,
        result=r1,
        code="1.1",
        definition="Guidelines adopted",
        unit="count",
        target=Decimal(4),
    )
    services.indicator_value_record(
        actor=dragan,
        indicator=manual,
        measured_on=date(2020, 6, 30),
        value=Decimal(1),
        source="Ministry letter",
    )
    services.indicator_value_record(
        actor=dragan,
        indicator=manual,
        measured_on=date(2020, 9, 30),
        value=Decimal(3),
        source="Official Gazette",
    )
    live = services.indicator_create(
        actor=dragan,
        result=r2,
        code="2.1",
        definition="Recommendations implemented",
        unit="percent",
        target=Decimal(50),
        metric="monitoring.recommendations_implemented",
    )
    activity = services.activity_create(
        actor=dragan,
        result=r1,
        code="A1",
        title="Train inspectors",
        status="completed",
        starts_on=date(2020, 2, 1),
        ends_on=date(2020, 9, 1),
    )
    line = services.budget_line_create(
        actor=dragan,
        action=action,
        result=r1,
        code="B1",
        title="Trainings",
        amount=Decimal(400_000),
    )
    services.spending_record(
        actor=dragan,
        budget_line=line,
        kind="commitment",
        amount=Decimal(200_000),
        booked_on=date(2020, 2, 1),
        description="Contracts",
    )
    services.spending_record(
        actor=dragan,
        budget_line=line,
        kind="expenditure",
        amount=Decimal(150_000),
        booked_on=date(2020, 8, 1),
        description="Trainings paid",
    )
    # Registered in March 2020, so reports for periods from then on count them.
    with time_machine.travel(datetime(2020, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        recommendations = _recommendations(dragan, agencies)
    meeting = services.meeting_create(
        actor=dragan,
        action=action,
        held_on=date(2020, 10, 23),
        place="Belgrade",
        title="Steering Committee, October 2020",
        participant_agencies=[agencies["nco"]],
    )
    services.decision_add(actor=dragan, meeting=meeting, text="Trainings for teachers start.")
    follow_up = services.follow_up_create(
        actor=dragan,
        meeting=meeting,
        owner=nada,
        due_on=date(2020, 12, 15),
        text="Circulate the 2021 work plan.",
    )
    report = services.report_create(
        actor=dragan,
        action=action,
        period_start=date(2020, 1, 1),
        period_end=date(2020, 10, 31),
        title="Progress report January–October 2020",
        summary="Training moved online.",
    )
    return World(action, manual, live, activity, recommendations, meeting, follow_up, report)


def _recommendations(dragan: User, agencies: dict[str, Agency]) -> list[GretaRecommendation]:
    return [
        services.recommendation_create(
            actor=dragan,
            data=RecommendationData(
                round=2,
                report="GRETA test report",
                paragraph=paragraph,
                text=text,
                strength="urges",
                theme=theme,
                status=status,
                note="demo",
                responsible=(agencies["labour"],),
            ),
        )
        for paragraph, text, theme, status in (
            (
                "T1",
                "Identify victims proactively among migrant workers.",
                "identification",
                "fully",
            ),
            ("T2", "Set up a state compensation fund for victims.", "compensation", "not_started"),
            ("T3", "Train labour inspectors on referral.", "labour_exploitation", "in_progress"),
            ("T4", "Appoint guardians promptly for child victims.", "child_victims", "not_started"),
        )
    ]
