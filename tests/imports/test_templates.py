"""Every import offers a template: XLSX with the headers, a sample row and the allowed values,
in English, Serbian Cyrillic and Serbian Latin; the headers it gives are read back."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from opennrm.imports.pipeline import suggest_mapping, template_xlsx
from opennrm.imports.spec import registered


@pytest.mark.parametrize("language", ["en", "sr", "sr-latn"])
def test_every_registered_import_has_a_template_that_reads_back(db, language: str) -> None:
    keys = {spec.key for spec in registered()}
    assert {"cases", "justice.register", "training.completions"} <= keys
    for spec_class in registered():
        spec = spec_class()
        book = load_workbook(io.BytesIO(template_xlsx(spec, language=language)))
        records, allowed = book.worksheets
        header = [cell.value for cell in records[1]]
        assert len(header) == len(spec.columns())
        assert any(cell.value for cell in records[2]), spec.key  # the sample row
        assert allowed.max_row > 1, spec.key
        # a file started from the template needs no mapping
        columns = spec.columns()
        assert suggest_mapping(header, columns) == [c.key for c in columns], spec.key


def test_the_upload_page_links_the_template_in_three_languages(client_for) -> None:
    page = client_for("jelena").get("/imports/justice.register/").content.decode()
    for language in ("en", "sr", "sr-latn"):
        assert f"/imports/justice.register/template.xlsx?language={language}" in page
    response = client_for("jelena").get("/imports/justice.register/template.xlsx?language=sr")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
