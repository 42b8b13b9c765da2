"""Monitoring services: validation, versioning, permissions and the recommendations import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook

from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from opennrm.core.errors import ConflictError, PermissionDeniedError, StaleRecordError
from opennrm.core.tabular import TabularError
from opennrm.monitoring import services
from opennrm.monitoring.models import GretaRecommendation
from tests.monitoring.conftest import World

pytestmark = pytest.mark.django_db


def test_it_refuses_funders_whose_shares_do_not_add_up(personas: dict[str, User]) -> None:
    with pytest.raises(services.ValidationFailed) as caught:
        services.action_create(
            actor=personas["dragan"],
            code="x",
            title="X",
            starts_on=date(2020, 1, 1),
            ends_on=date(2021, 1, 1),
            budget=Decimal(1000),
            funders=[("EU", Decimal(85)), ("CoE", Decimal(10))],
        )
    assert caught.value.fields == {"funders": "The funders' shares must add up to 100%."}


@pytest.mark.parametrize("username", ["cedomir", "ivan", "vesna", "marija", "zoran"])
def test_only_coordinators_may_create_an_action(personas: dict[str, User], username: str) -> None:
    with pytest.raises(PermissionDeniedError):
        services.action_create(
            actor=personas[username],
            code="x",
            title="X",
            starts_on=date(2020, 1, 1),
            ends_on=date(2021, 1, 1),
            budget=Decimal(1000),
        )


def test_budget_lines_cannot_exceed_the_action_budget(world: World, personas) -> None:
    with pytest.raises(services.ValidationFailed) as caught:
        services.budget_line_create(
            actor=personas["dragan"],
            action=world.action,
            code="B2",
            title="Too much",
            amount=Decimal(350_001),
        )
    assert caught.value.message == (
        "The budget lines would exceed the action's budget of 750,000 EUR."
    )


def test_expenditure_cannot_exceed_its_budget_line(world: World, personas) -> None:
    line = world.action.budget_lines.get(code="B1")
    with pytest.raises(services.ValidationFailed) as caught:
        services.spending_record(
            actor=personas["dragan"],
            budget_line=line,
            kind="expenditure",
            amount=Decimal(250_001),
            booked_on=date(2020, 9, 1),
            description="Overspend",
        )
    assert caught.value.message == "This would exceed the budget line (250,000 available)."


def test_a_live_indicator_refuses_typed_values(world: World, personas) -> None:
    with pytest.raises(ConflictError) as caught:
        services.indicator_value_record(
            actor=personas["dragan"],
            indicator=world.live,
            measured_on=date(2020, 5, 1),
            value=Decimal(12),
            source="Guess",
        )
    assert "computed live" in caught.value.message


def test_an_indicator_cannot_name_an_unknown_metric(world: World, personas) -> None:
    with pytest.raises(services.ValidationFailed) as caught:
        services.indicator_create(
            actor=personas["dragan"],
            result=world.live.result,
            code="9.9",
            definition="X",
            unit="count",
            target=Decimal(1),
            metric="cases.nothing",
        )
    assert caught.value.fields["metric"] == "There is no live metric named “cases.nothing”."


def test_a_follow_up_owner_must_be_able_to_see_monitoring(world: World, personas) -> None:
    with pytest.raises(services.ValidationFailed) as caught:
        services.follow_up_create(
            actor=personas["dragan"],
            meeting=world.meeting,
            owner=personas["vesna"],
            due_on=date(2021, 1, 1),
            text="Do something",
        )
    assert caught.value.fields["owner"] == (
        "The owner must be someone who can see the monitoring records."
    )


def test_the_owner_completes_a_follow_up_and_a_second_completion_is_refused(
    world: World, personas
) -> None:
    nada = personas["nada"]
    done = services.follow_up_complete(
        actor=nada, follow_up=world.follow_up, expected_version=world.follow_up.version
    )
    assert done.done_at is not None
    with pytest.raises(ConflictError):
        services.follow_up_complete(actor=nada, follow_up=done, expected_version=done.version)
    assert AuditEntry.objects.filter(verb="monitoring.follow_up.complete").count() == 1


def test_a_stale_status_update_is_refused(world: World, personas) -> None:
    rec = world.recommendations[1]
    services.recommendation_update(
        actor=personas["nada"],
        recommendation=rec,
        expected_version=1,
        status="in_progress",
        evidence="Draft law",
    )
    stale = GretaRecommendation.objects.get(pk=rec.pk)
    with pytest.raises(StaleRecordError):
        services.recommendation_update(
            actor=personas["dragan"],
            recommendation=stale,
            expected_version=1,
            status="fully",
            evidence="",
        )
    stale.refresh_from_db()
    assert (stale.status, stale.evidence, stale.version) == ("in_progress", "Draft law", 2)


CSV_HEADER = "round,report,paragraph,text,strength,theme,responsible,status,evidence,note\n"


def test_the_import_names_every_bad_row_and_writes_nothing(personas, agencies) -> None:
    csv = (
        CSV_HEADER
        + "2,GRETA 2017,10,Improve identification,urges,identification,LI;CPTV,partly,,demo\n"
        + "x,GRETA 2017,11,Text,demands,identification,,,,\n"
        + "2,GRETA 2017,10,Duplicate,urges,compensation,NOPE,,,\n"
    ).encode()
    with pytest.raises(TabularError) as caught:
        services.recommendations_import(actor=personas["dragan"], source=csv, filename="g.csv")
    assert [(e.row, e.column, e.message) for e in caught.value.errors] == [
        (3, "round", "The evaluation round must be a whole number from 1."),
        (3, "strength", "The strength must be urges, considers or invites."),
        (4, "responsible", "No agency has the short name “NOPE”."),
        (4, "paragraph", "The same paragraph already appears in row 2."),
    ]
    assert caught.value.message == (
        "The file was not imported: 4 problems were found. Nothing was changed."
    )
    assert GretaRecommendation.objects.count() == 0


def test_the_import_reads_xlsx_and_updates_known_paragraphs(world: World, personas) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["Round", "Report", "Paragraph", "Text", "Strength", "Theme", "Responsible", "Status"]
    )
    sheet.append(
        [
            2,
            "GRETA test report",
            "T2",
            "Set up a state compensation fund.",
            "urges",
            "Compensation",
            "VJT BG",
            "Partly implemented",
        ]
    )
    sheet.append(
        [3, "GRETA third round", "5", "Collect data.", "invites", "data_collection", "", ""]
    )
    buffer = BytesIO()
    book.save(buffer)
    summary = services.recommendations_import(
        actor=personas["nada"], source=buffer.getvalue(), filename="greta.xlsx"
    )
    assert (summary.created, summary.updated) == (1, 1)
    updated = GretaRecommendation.objects.get(report="GRETA test report", paragraph="T2")
    assert (updated.status, updated.version) == ("partly", 2)
    assert [a.short_name for a in updated.responsible.all()] == ["VJT BG"]
    created = GretaRecommendation.objects.get(report="GRETA third round")
    assert (created.status, created.theme) == ("not_started", "data_collection")


def test_cedomir_cannot_import_recommendations(personas) -> None:
    with pytest.raises(PermissionDeniedError):
        services.recommendations_import(
            actor=personas["cedomir"], source=CSV_HEADER.encode(), filename="g.csv"
        )
