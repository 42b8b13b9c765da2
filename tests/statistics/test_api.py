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
    assert_access(client_for, URL, allowed=["vesna", "dragan", "nada"])


def test_the_list_names_every_standard_table(client_for):
    body = client_for("dragan").get(URL).json()
    assert body["count"] == 23  # 21 victim and activity tables + 2 criminal-justice tables
    assert body["items"][0] == {
        "id": "presumed_by_year",
        "title": "Presumed victims by year and sex",
        "row_dimension": "year",
        "column_dimension": "sex",
    }


def test_a_restricted_table_hides_a_small_count_and_what_would_reveal_it(client_for, cases):
    response = client_for("dragan").get(
        f"{URL}presumed_by_year/",
        {"from": "2026-01-01", "to": "2026-12-31", "profile": "restricted"},
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id", "title", "row_dimension", "column_dimension", "cells", "row_totals", "column_totals", "grand_total",
    }  # fmt: skip
    assert body["row_dimension"] == "year"
    # 3 men are below 5. With one row, each column total equals its cell, so hiding the men
    # means hiding the women too (the cheapest cycle); the overall 10 stays published.
    assert body["cells"] == [
        {"row": "2026", "column": "female", "value": None, "suppressed": True},
        {"row": "2026", "column": "male", "value": None, "suppressed": True},
        {"row": "2026", "column": "other", "value": 0, "suppressed": False},
    ]
    assert body["row_totals"] == [{"row": "2026", "value": 10, "suppressed": False}]
    assert body["column_totals"] == [
        {"column": "female", "value": None, "suppressed": True},
        {"column": "male", "value": None, "suppressed": True},
        {"column": "other", "value": 0, "suppressed": False},
    ]
    assert body["grand_total"] == {"value": 10, "suppressed": False}


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


def test_the_ctdc_endpoint_is_for_coordinators_only(client_for, cases):
    assert_access(client_for, "/api/v1/statistics/ctdc/", allowed=["dragan", "nada"])
