"""Browser: a case manager imports a legacy spreadsheet on a phone and sees the result."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.cases.test_ops_imports import GOOD_ROWS, csv_bytes


def test_a_case_manager_imports_a_legacy_file_and_a_bad_one_is_explained(
    phone_page: Page, login_as: Callable[[Page, str], None], settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    page = phone_page
    # The shared CI machine can be slow to serve the first pages; the steps stay the same.
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(60_000)
    login_as(page, "vesna")
    page.goto("/cases/import/")
    good = tmp_path / "legacy.csv"
    good.write_bytes(csv_bytes(GOOD_ROWS))
    page.get_by_label("Legacy records (CSV or XLSX)").set_input_files(str(good))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Imported: 3 rows read, 3 cases created, 0 already imported before."
    )
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([[*GOOD_ROWS[0][:4], "Femme", *GOOD_ROWS[0][5:]]]))
    page.goto("/cases/import/")
    page.get_by_label("Legacy records (CSV or XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was changed.")
    expect(page.get_by_role("cell", name="“Femme” is not an HTCDS gender value.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the error report (CSV)").click()
    assert "prs_Gender" in Path(download.value.path()).read_text(encoding="utf-8-sig")
