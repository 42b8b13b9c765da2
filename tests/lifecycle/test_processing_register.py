"""The register of processing activities is generated from the code: its categories of personal
data are the models' encrypted fields, its retention the settings, as DOCX and as PDF."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from docx import Document

from opennrm.lifecycle.processing import register_rows


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_categories_come_from_the_models_encrypted_fields() -> None:
    rows = {str(row.activity.name): row for row in register_rows()}
    victims = rows["Identification of and assistance to victims of trafficking"]
    assert "person: family name" in victims.personal
    assert "case note: note" in victims.personal
    assert "person: year of birth" in victims.statistical
    assert "person: code" not in victims.personal  # a pseudonym, not encrypted personal data


@override_settings(OPENNRM_RETENTION_CLOSED_CASE_DAYS=4000)
def test_the_docx_names_purposes_categories_recipients_and_retention(tmp_path: Path) -> None:
    out = tmp_path / "ropa.docx"
    call_command("processing_register", format="docx", out=str(out))
    text = _docx_text(out.read_bytes())
    assert "Register of processing activities" in text
    assert "Identify presumed victims, refer them" in text
    assert "person: given names; person: family name" in text
    assert "assigned service providers" in text
    assert "4000 days. Kept ten years after the last case closed" in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
def test_the_pdf_reads_the_same_in_serbian(tmp_path: Path) -> None:
    out = tmp_path / "ropa.pdf"
    call_command("processing_register", format="pdf", out=str(out), lang="sr")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Евиденција радњи обраде" in text
    assert "3650" in text
