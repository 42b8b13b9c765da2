"""Grants and campaigns: rules of the services, reach figures, pages, exports and the API."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.test import Client

from opennrm.accounts.models import Agency, User
from opennrm.awareness import services
from opennrm.awareness.models import Campaign
from opennrm.awareness.selectors import campaign_reach
from opennrm.core.errors import PermissionDeniedError, StaleRecordError, ValidationFailed
from tests.conftest import assert_access


@pytest.fixture
def campaign(personas: dict[str, User], agencies: dict[str, Agency]) -> Campaign:
    actor = personas["dragan"]
    grant = services.grant_create(
        actor=actor,
        code="g1",
        title="Labour grant",
        grantee=agencies["astra"],
        amount=Decimal("30000"),
        currency="EUR",
        start=date(2020, 4, 1),
        end=date(2020, 12, 31),
        reports_due=[("final", date(2021, 1, 31))],
    )
    campaign = services.campaign_create(
        actor=actor,
        code="c1",
        title="Know your rights",
        topic="labour_exploitation",
        audience="Job seekers",
        channels=["radio"],
        start=date(2020, 5, 1),
        end=date(2020, 11, 30),
        grant=grant,
    )
    services.reach_report(
        actor=actor,
        campaign=campaign,
        on=date(2020, 6, 30),
        people_reached=1000,
        events_held=2,
        materials_distributed=300,
        hotline_calls=7,
    )
    services.reach_report(
        actor=actor,
        campaign=campaign,
        on=date(2020, 9, 30),
        people_reached=500,
        events_held=1,
        materials_distributed=100,
        hotline_calls=3,
    )
    return campaign


def test_reach_adds_up_the_reports_of_the_period(
    personas: dict[str, User], campaign: Campaign
) -> None:
    whole = campaign_reach(actor=personas["marija"], start=date(2020, 1, 1), end=date(2020, 12, 31))
    assert (whole.campaigns, whole.people_reached, whole.events) == (1, 1500, 3)
    assert (whole.materials, whole.hotline_calls) == (400, 10)
    summer = campaign_reach(actor=personas["nada"], start=date(2020, 6, 1), end=date(2020, 7, 31))
    assert (summer.campaigns, summer.people_reached, summer.hotline_calls) == (1, 1000, 7)
    spring = campaign_reach(actor=personas["nada"], start=date(2020, 1, 1), end=date(2020, 3, 31))
    assert (spring.campaigns, spring.people_reached) == (0, 0)


def test_it_refuses_a_grant_to_an_agency_that_is_not_a_cso(
    personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.grant_create(
            actor=personas["dragan"],
            code="g2",
            title="x",
            grantee=agencies["police_bg"],
            amount=Decimal("10"),
            currency="EUR",
            start=date(2020, 1, 1),
            end=date(2020, 2, 1),
        )
    assert caught.value.message == "Grants go to civil society organisations only."


def test_it_refuses_reach_reported_outside_the_campaign(
    personas: dict[str, User], campaign: Campaign
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.reach_report(actor=personas["dragan"], campaign=campaign, on=date(2021, 1, 5))
    assert caught.value.message == (
        "The reporting date must fall within the campaign (1 May 2020 – 30 November 2020)."
    )


def test_a_stale_status_change_is_refused(personas: dict[str, User], campaign: Campaign) -> None:
    services.campaign_set_status(
        actor=personas["nada"], campaign=campaign, status="running", expected_version=1
    )
    stale = Campaign.objects.get(pk=campaign.pk)
    with pytest.raises(StaleRecordError):
        services.campaign_set_status(
            actor=personas["dragan"], campaign=stale, status="completed", expected_version=1
        )
    assert Campaign.objects.get(pk=campaign.pk).status == "running"


@pytest.mark.parametrize("username", ["marija", "cedomir", "ivan", "vesna"])
def test_only_coordinators_may_change_campaigns(
    personas: dict[str, User], campaign: Campaign, username: str
) -> None:
    with pytest.raises(PermissionDeniedError):
        services.reach_report(actor=personas[username], campaign=campaign, on=date(2020, 7, 1))


def test_awareness_pages_are_for_trainers_and_coordinators(
    client_for: Callable[[str], Client], campaign: Campaign
) -> None:
    allowed = ["marija", "dragan", "nada", "sanja"]  # Sanja: the national co-ordinator's role
    assert_access(client_for, "/awareness/", allowed=allowed)
    assert_access(client_for, "/awareness/campaigns/c1/", allowed=allowed)
    assert_access(client_for, "/api/v1/awareness/campaigns", allowed=allowed)
    assert_access(
        client_for, "/api/v1/awareness/reach?start=2020-01-01&end=2020-12-31", allowed=allowed
    )


def test_the_export_has_the_figures_of_the_page(
    client_for: Callable[[str], Client], campaign: Campaign
) -> None:
    page = client_for("dragan").get("/awareness/").content.decode()
    assert '<td class="text-end">1500</td>' in page
    export = client_for("dragan").get("/awareness/?export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export)))
    campaigns = list(book["Campaigns"].iter_rows(values_only=True))
    assert campaigns[1][0] == "c1"
    assert campaigns[1][-4:] == (1500, 3, 400, 10)
    grants = list(book["Grants"].iter_rows(values_only=True))
    assert grants[1][2:5] == ("ASTRA — Anti Trafficking Action", 30000, "EUR")


def test_the_api_reports_reach_and_refuses_writes_to_trainers(
    client_for: Callable[[str], Client], campaign: Campaign
) -> None:
    body = client_for("nada").get("/api/v1/awareness/reach?start=2020-01-01&end=2020-12-31")
    assert body.json() == {
        "start": "2020-01-01",
        "end": "2020-12-31",
        "campaigns": 1,
        "people_reached": 1500,
        "events": 3,
        "materials": 400,
        "hotline_calls": 10,
    }
    refused = client_for("marija").post(
        "/api/v1/awareness/campaigns/c1/reach",
        {"on": "2020-07-01", "people_reached": 5},
        content_type="application/json",
    )
    assert refused.status_code == 403
    accepted = client_for("dragan").post(
        "/api/v1/awareness/campaigns/c1/reach",
        {"on": "2020-07-01", "people_reached": 5},
        content_type="application/json",
    )
    assert accepted.status_code == 201
    assert accepted.json()["people_reached"] == 1505


def test_coordinators_see_grant_reports_due_on_their_home_page(
    client_for: Callable[[str], Client], campaign: Campaign
) -> None:
    with time_machine.travel(date(2021, 1, 15)):
        home = client_for("dragan").get("/").content.decode()
        assert "Grant reports due" in home
        assert "Final report · ASTRA · due 31/01/2021" in home
        assert "Grant reports due" not in client_for("marija").get("/").content.decode()
    with time_machine.travel(date(2020, 10, 1)):
        assert "Grant reports due" not in client_for("dragan").get("/").content.decode()
