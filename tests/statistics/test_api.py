"""The statistics API: table list, one table with its exact JSON shape, profiles refused."""

from __future__ import annotations

from datetime import date

import pytest

from opennrm.cases import vocab
from tests.conftest import assert_access
from tests.statistics.data import make_case

URL = "/api/v1/statistics/tables/"


@pytest.fixture
def cases(agencies, personas):
    for _ in range(7):
        make_case(
            centre=agencies["cptv"], caseworker=personas["vesna"], presumed_on=date(2026, 2, 1)
        )
    for _ in range(3):
        make_case(
            centre=agencies["cptv"],
            caseworker=personas["vesna"],
            gender=vocab.Gender.MASCULINE,
            presumed_on=date(2026, 5, 1),
        )
    make_case(centre=agencies["cptv"], caseworker=personas["vesna"], presumed_on=date(2025, 5, 1))
    return agencies


def test_only_statistics_roles_list_the_tables(client_for):
    assert_access(client_for, URL, allowed=["vesna", "dragan", "nada", "sanja"])


def test_the_list_names_every_standard_table(client_for):
    body = client_for("dragan").get(URL).json()
    # 21 victim and activity tables, 2 criminal-justice tables, 1 of transnational referrals
    assert body["count"] == 24
    assert body["items"][-1]["id"] == "transnational_by_partner"
    assert body["items"][0] == {
        "id": "presumed_by_year",
        "title": "Presumed victims by year and sex",
        "row_dimension": "year",
        "column_dimension": "sex",
    }


def test_a_restricted_table_never_shows_a_small_count_and_repeats_itself(client_for, cases):
    ask = {"from": "2026-01-01", "to": "2026-12-31", "profile": "restricted"}
    response = client_for("dragan").get(f"{URL}presumed_by_year/", ask)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id",
        "title",
        "row_dimension",
        "column_dimension",
        "cells",
        "row_totals",
        "column_totals",
        "grand_total",
    }
    assert body["row_dimension"] == "year"
    female, male, other = body["cells"]
    # 3 men: never 3 — shown "<5" (published 0) or 5; 7 women: 5 to 9; nobody "other": "<5".
    assert (male["value"], male["suppressed"]) in {(None, True), (5, False)}
    assert 5 <= female["value"] <= 9
    assert not female["suppressed"]
    assert other == {"row": "2026", "column": "other", "value": None, "suppressed": True}
    # 10 in all: the total is a figure of its own, 8 to 12.
    assert 8 <= body["grand_total"]["value"] <= 12
    # The same people, the same figures: asking again changes nothing.
    assert client_for("dragan").get(f"{URL}presumed_by_year/", ask).json() == body


def test_a_restricted_table_is_refused_for_a_period_other_than_a_month_quarter_or_year(
    client_for, cases
):
    response = client_for("dragan").get(
        f"{URL}presumed_by_year/",
        {"from": "2026-01-01", "to": "2026-07-01", "profile": "restricted"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "from": "Choose the first day of a month, quarter or year.",
        "to": "Choose the last day of that month, quarter or year.",
    }
    for period in (("2026-04-01", "2026-06-30"), ("2026-02-01", "2026-02-28")):
        ok = client_for("dragan").get(
            f"{URL}presumed_by_year/",
            {"from": period[0], "to": period[1], "profile": "restricted"},
        )
        assert ok.status_code == 200


def test_the_official_profile_gives_nada_exact_figures(client_for, cases):
    body = (
        client_for("nada")
        .get(
            f"{URL}presumed_by_year/",
            {"from": "2026-01-01", "to": "2026-12-31", "profile": "official"},
        )
        .json()
    )
    assert [c["value"] for c in body["cells"]] == [7, 3, 0]
    assert body["grand_total"] == {"value": 10, "suppressed": False}


@pytest.mark.parametrize("username", ["dragan", "vesna", "cedomir", "ivan", "marija"])
def test_the_official_profile_is_refused_to_everyone_else(client_for, username):
    response = client_for(username).get(f"{URL}presumed_by_year/", {"profile": "official"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_an_unknown_table_is_not_found(client_for):
    response = client_for("dragan").get(f"{URL}no_such_table/")
    assert response.status_code == 404
    assert (
        response.json()["error"]["message"] == "There is no statistics table with this identifier."
    )


def test_a_reversed_period_is_refused_with_a_field_message(client_for):
    response = client_for("dragan").get(
        f"{URL}presumed_by_year/", {"from": "2026-05-01", "to": "2026-01-01"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"to": "Choose a date on or after the start date."}
