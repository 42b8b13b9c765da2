"""Browser: a case manager imports a legacy spreadsheet on a phone through the import pipeline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.cases.test_ops_imports import GOOD_ROWS, csv_bytes


def test_a_case_manager_imports_a_legacy_file_and_a_bad_one_is_explained(
    phone_page: Page, login_as: Callable[[Page, str], None], tmp_path: Path
) -> None:
    page = phone_page
    # The shared CI machine can be slow to serve the first pages; the steps stay the same.
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(60_000)
    login_as(page, "vesna")
    page.goto("/cases/import/")  # the old address leads to the pipeline
    good = tmp_path / "legacy.csv"
    good.write_bytes(csv_bytes(GOOD_ROWS))
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(good))
    page.get_by_role("button", name="Upload and continue").click()
    page.get_by_role("button", name="Confirm the columns").click()
    expect(page.locator("#preview-counts")).to_contain_text("To create: 3")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status").filter(has_text="Imported:")).to_contain_text(
        "Imported: 3 rows read, 3 created, 0 updated, 0 already there."
    )
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([[*GOOD_ROWS[0][:4], "Femme", *GOOD_ROWS[0][5:]]]))
    page.goto("/cases/import/")
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and continue").click()
    page.get_by_role("button", name="Confirm the columns").click()
    # an unknown gender is asked about; left unmapped, the preview names it and imports nothing
    expect(page.get_by_role("row", name="Femme")).to_be_visible()
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing can be imported")
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("“Femme”")
    expect(errors).to_contain_text("Allowed values")
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
