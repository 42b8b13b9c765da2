"""Reports write dates, numbers and money as each language does, in HTML, DOCX, PDF and charts."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document

from opennrm.accounts.models import Agency, User
from opennrm.core import formatting
from opennrm.demo.context import DemoContext
from opennrm.monitoring import charts
from opennrm.monitoring.models import ProgressReport
from opennrm.monitoring.reports import render


def test_numbers_money_and_dates_per_language() -> None:
    june, may = date(2019, 6, 1), date(2020, 5, 1)
    assert [formatting.date_alone(june, lang) for lang in ("en", "sr", "sr-latn")] == [
        "1 June 2019",
        "1. јун 2019.",
        "1. jun 2019.",
    ]
    assert [formatting.date_in_text(may, lang) for lang in ("en", "sr", "sr-latn")] == [
        "1 May 2020",
        "1. маја 2020.",
        "1. maja 2020.",
    ]
    assert [formatting.money(Decimal(750_000), "EUR", lang) for lang in ("en", "sr")] == [
        "750,000 EUR",
        "750.000 EUR",
    ]
    assert [formatting.percent(Decimal("33.33"), lang) for lang in ("en", "sr-latn")] == [
        "33.3%",
        "33,3 %",
    ]
    assert formatting.end_sentence("израђен 4. децембра 2026..") == "израђен 4. децембра 2026."


def _tick_labels(svg: str) -> list[str]:
    return re.findall(r'<text x="52" y="[\d.]+" text-anchor="end">([^<]*)</text>', svg)


def test_a_count_chart_has_whole_number_axis_labels_in_the_report_language() -> None:
    greta = charts.ChartSpec(
        title="GRETA recommendations by status",
        labels=("not started", "in progress", "partly", "fully", "n/a"),
        series=(charts.Series("Recommendations", (2.0, 1.0, 2.0, 1.0, 0.0)),),
    )
    assert _tick_labels(charts.svg(greta)) == ["0", "1", "2"]
    reach = charts.ChartSpec(
        title="Reach",
        labels=("2020",),
        series=(charts.Series("People", (113_100.0,)),),
        language="sr",
    )
    assert _tick_labels(charts.svg(reach)) == ["0", "50.000", "100.000", "150.000"]
    share = charts.ChartSpec(
        "Share", ("a",), (charts.Series("s", (40.0,)),), percent=True, language="sr"
    )
    assert _tick_labels(charts.svg(share))[:2] == ["0 %", "25 %"]
    assert charts.png(greta)[:4] == b"\x89PNG"


@pytest.fixture
def october(
    agencies: dict[str, Agency], personas: dict[str, User], settings, tmp_path: Path
) -> ProgressReport:
    from opennrm.awareness import demo as awareness_demo
    from opennrm.monitoring import demo as monitoring_demo
    from opennrm.training import demo as training_demo

    settings.MEDIA_ROOT = tmp_path
    ctx = DemoContext(agencies=agencies, users=personas, say=lambda text: None)
    for module in (training_demo, awareness_demo, monitoring_demo):
        module.seed(ctx)
    return ProgressReport.objects.get(period_end=date(2020, 10, 31))


def _docx(content: bytes) -> tuple[str, list[list[str]]]:
    document = Document(BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return text, rows


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(content)
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


@pytest.mark.django_db
def test_the_report_writes_each_language_in_docx_html_and_pdf(
    october: ProgressReport, personas: dict[str, User], tmp_path: Path
) -> None:
    nada = personas["nada"]
    text, rows = _docx(render(report=october, actor=nada, format="docx", language="en")[0])
    assert "progress report for 1 January 2020 to 31 October 2020, generated on" in text
    assert "Budget: 750,000 EUR." in text
    assert [
        "Послати план рада за 2021. члановима Одбора.",
        "Nada Pavlović",
        "15 December 2020",
    ] in rows

    text, rows = _docx(render(report=october, actor=nada, format="docx", language="sr")[0])
    # Running text: the month in the genitive; one full stop after a date ending a sentence.
    assert "за период од 1. јануара 2020. до 31. октобра 2020., израђен" in text
    assert ".." not in text
    assert "Буџет: 750.000 EUR." in text
    by_code = {row[0].split(" ", 1)[0]: row for row in rows if row[0][:1].isdigit()}
    assert by_code["1.1"][1:4] == ["0 %", "90 %", "83 %"]
    assert by_code["4.3"][2:4] == ["50.000", "113.100"]
    # A date standing alone keeps the nominative.
    assert any(row[-1] == "15. децембар 2020." for row in rows)

    html = render(report=october, actor=nada, format="html", language="sr-latn")[0].decode()
    assert "od 1. januara 2020. do 31. oktobra 2020., izrađen" in html
    assert "Budžet: 750.000 EUR." in html
    assert ".." not in re.sub(r"<[^>]+>", " ", html)

    pdf = _pdf_text(render(report=october, actor=nada, format="pdf", language="sr")[0], tmp_path)
    assert "750.000 EUR" in pdf
    assert "1. јануара 2020." in pdf
    assert "113.100" in pdf
