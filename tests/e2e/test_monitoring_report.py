"""A coordinator generates the October 2020 progress report in the browser and downloads it."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

import pytest
from docx import Document
from playwright.sync_api import Page, expect

from opennrm.accounts.models import Agency, User
from opennrm.demo.context import DemoContext


@pytest.fixture
def october_report(agencies: dict[str, Agency], personas: dict[str, User], settings, tmp_path):  # type: ignore[no-untyped-def]
    from opennrm.monitoring import demo as monitoring_demo
    from opennrm.training import demo as training_demo

    settings.MEDIA_ROOT = tmp_path
    ctx = DemoContext(agencies=agencies, users=personas, say=lambda text: None)
    training_demo.seed(ctx)
    monitoring_demo.seed(ctx)


def test_a_coordinator_generates_and_downloads_the_october_report(
    page: Page, login_as: Callable[[Page, str], None], october_report: None
) -> None:
    login_as(page, "dragan")
    page.get_by_role("link", name="Monitoring").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Превенција и сузбијање")
    page.get_by_role("link", name="Progress reports").click()
    page.get_by_role("link", name="Извештај о напретку јануар–октобар 2020.").click()
    for fmt in ("DOCX", "PDF"):
        page.locator("#id_format").select_option(fmt.lower())
        page.locator("#id_language").select_option("en")
        # The test settings render in the request (immediate task backend), so allow for it.
        page.get_by_role("button", name="Generate the report").click(timeout=90_000)
        link = page.get_by_role("link", name=f"Download {fmt}")
        expect(link).to_be_visible(timeout=90_000)
        with page.expect_download() as info:
            link.click()
        content = info.value.path().read_bytes()
        if fmt == "DOCX":
            document = Document(BytesIO(content))
            cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
            assert "83%" in cells
            assert "37" in cells
        else:
            assert content.startswith(b"%PDF")
        page.get_by_role("link", name="Back to the report").click()
