"""The coordinator on a phone asks for the CTDC microdata file, reads its information loss per
column and downloads it; the page meets WCAG and fits the screen (``pagecheck``)."""

from __future__ import annotations

import csv
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from opennrm.statistics import exports
from tests.e2e.pagecheck import check_page
from tests.statistics.test_ctdc_useful import generated


def test_the_coordinator_makes_reads_and_downloads_the_ctdc_file_on_a_phone(
    phone_page: Page, login_as: Callable[[Page, str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = generated(1_500)
    # The register's cases as the generated ones (the live server runs in this process).
    monkeypatch.setattr(exports, "_ctdc_source", lambda: iter(rows))
    login_as(phone_page, "dragan")

    phone_page.goto("/statistics/ctdc/")
    phone_page.get_by_role("button", name="Make a CTDC file").click()
    # The tests' tasks backend makes the file as the request commits; the page then offers it.
    phone_page.wait_for_url("**/statistics/ctdc/*/")
    expect(phone_page.get_by_text("The CTDC microdata file is being made")).to_be_visible()
    expect(phone_page.locator(".ctdc-status")).to_have_text("ready")
    expect(phone_page.get_by_text("rows from 1,500 cases")).to_be_visible()

    phone_page.get_by_text("Information loss per column").click()
    table = phone_page.get_by_role("table")
    expect(table.get_by_role("rowheader", name="typeOfExploitConcatenated")).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(len(exports.ctdc_columns()))
    check_page(phone_page, "the CTDC file on a phone, its report open")

    with phone_page.expect_download() as download:
        phone_page.get_by_role("link", name="Download CTDC CSV").click()
    with download.value.path().open(encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
    assert header == [column.name for column in exports.ctdc_columns()]
