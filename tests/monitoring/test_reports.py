"""The October 2020 progress report: generated in the browser's flow, opened and read back.

The figures come from the other apps' demo data through the metric registry: 37 law students
(training), 83% of labour inspectors (training), two campaigns (awareness).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document
from PIL import Image

from opennrm.accounts.models import Agency, User
from opennrm.demo.context import DemoContext
from opennrm.monitoring.models import ProgressReport, ReportRendition
from opennrm.monitoring.reports import render

pytestmark = pytest.mark.django_db

CHART_BLUE = (0x1D, 0x4E, 0x89)


@pytest.fixture
def demo(
    agencies: dict[str, Agency], personas: dict[str, User], settings, tmp_path: Path
) -> ProgressReport:
    from opennrm.awareness import demo as awareness_demo
    from opennrm.monitoring import demo as monitoring_demo
    from opennrm.training import demo as training_demo

    settings.MEDIA_ROOT = tmp_path
    ctx = DemoContext(agencies=agencies, users=personas, say=lambda text: None)
    training_demo.seed(ctx)
    awareness_demo.seed(ctx)
    monitoring_demo.seed(ctx)
    monitoring_demo.seed(ctx)  # idempotent: a second run adds nothing
    return ProgressReport.objects.get(period_end=date(2020, 10, 31))


def _generate(client: Client, report: ProgressReport, fmt: str, language: str, capture) -> bytes:
    with capture(execute=True):
        response = client.post(
            reverse("monitoring:report_generate", args=[report.pk]),
            {"format": fmt, "language": language},
        )
    rendition = ReportRendition.objects.filter(report=report, format=fmt).latest("id")
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:rendition", args=[report.pk, rendition.pk])
    assert (rendition.status, rendition.progress) == ("done", 100)
    status_page = client.get(response["Location"])
    assert "Download" in status_page.content.decode()
    download = client.get(reverse("monitoring:rendition_download", args=[report.pk, rendition.pk]))
    assert download.status_code == 200
    return b"".join(download.streaming_content)


def _docx_text(content: bytes) -> tuple[str, list[list[str]], int]:
    document = Document(BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return text, rows, len(document.inline_shapes)


def test_a_coordinator_generates_the_october_report_as_docx_and_pdf_with_live_figures(
    demo: ProgressReport,
    client_for: Callable[[str], Client],
    django_capture_on_commit_callbacks,
    tmp_path: Path,
) -> None:
    client = client_for("dragan")
    text, rows, pictures = _docx_text(
        _generate(client, demo, "docx", "en", django_capture_on_commit_callbacks)
    )
    by_code = {row[0].split(" ", 1)[0]: row for row in rows if row[0][:1].isdigit()}
    assert by_code["1.1"][1:5] == ["0%", "90%", "83%", "● on track"]
    assert by_code["3.1"][3] == "37"
    assert by_code["3.2"][3] == "11"
    assert by_code["4.1"][3] == "2"
    # The source of a live figure in words, not the metric's internal key.
    assert by_code["3.1"][5] == "live: Law students who completed the HELP course"
    assert "Извештај о напретку јануар–октобар 2020." in text
    assert [
        "GRETA, други круг евалуације, Србија (парафраза за демо) §D5",
        "urges: Обезбедити да жртве могу делотворно да остваре накнаду штете од учинилаца у "
        "кривичном поступку и успоставити државни фонд за накнаду.",
        "compensation",
        "Higher Court in Belgrade, Higher Public Prosecutor's Office in Belgrade",
        "not started",
    ] in rows
    assert [
        "Послати план рада за 2021. члановима Одбора.",
        "Nada Pavlović",
        "15 December 2020",
    ] in rows
    assert "Процена потреба са Прихватилиштем и Центром завршава се до фебруара 2021." in text
    assert pictures == 4  # progress, budget burn, coverage trend, recommendations

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(_generate(client, demo, "pdf", "en", django_capture_on_commit_callbacks))
    pdf_text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "Law students who completed the 9 modules of the HELP course" in pdf_text
    assert "83%" in pdf_text
    assert "GRETA recommendations" in pdf_text
    assert "§D5" in pdf_text
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    blue_pixels = 0
    for page in sorted(tmp_path.glob("page*.png")):
        image = Image.open(page).convert("RGB")
        blue_pixels += sum(
            1
            for pixel in image.get_flattened_data()
            if all(abs(a - b) < 12 for a, b in zip(pixel, CHART_BLUE, strict=True))
        )
    assert blue_pixels > 500  # bars and lines of the charts, drawn in the first series' blue


def test_one_more_inspector_trained_changes_the_next_report_without_any_edit(
    demo: ProgressReport, personas: dict[str, User], agencies: dict[str, Agency]
) -> None:
    from opennrm.training import services as training
    from opennrm.training.models import Profession, TrainingEvent

    dragan, marija = personas["dragan"], personas["marija"]
    before, _ext = render(report=demo, actor=dragan, format="html", language="en")
    assert '<td class="num">83%</td>' in before.decode()
    inspector = training.trainee_register(
        actor=marija,
        first_name="Novi",
        last_name="Inspektor",
        email="novi@inspektorat.test",
        profession=Profession.LABOUR_INSPECTOR,
        agency=agencies["labour"],
    )
    training.attendance_record(
        actor=marija, event=TrainingEvent.objects.get(code="li-basic-2020-1"), trainees=[inspector]
    )
    after, _ext = render(report=demo, actor=dragan, format="html", language="en")
    assert '<td class="num">83.3%</td>' in after.decode()  # 250 of 300


def test_the_serbian_reports_are_translated_in_both_scripts(demo: ProgressReport, personas) -> None:
    cyrillic, _ext = render(report=demo, actor=personas["nada"], format="html", language="sr")
    latin, _ext = render(report=demo, actor=personas["nada"], format="html", language="sr-latn")
    assert "Резултати и индикатори" in cyrillic.decode()
    assert "Rezultati i indikatori" in latin.decode()


def test_the_command_writes_the_report_for_a_period(demo: ProgressReport, tmp_path: Path) -> None:
    out = tmp_path / "cli.docx"
    call_command(
        "progress_report",
        "--from",
        "2020-01-01",
        "--to",
        "2020-10-31",
        "--format",
        "docx",
        "--lang",
        "en",
        "--out",
        str(out),
        "--as",
        "dragan",
        stdout=BytesIO() and None,
    )
    text, rows, _pictures = _docx_text(out.read_bytes())
    assert "Извештај о напретку јануар–октобар 2020." in text  # the saved narrative was used
    assert any(row[0].startswith("3.1") and row[3] == "37" for row in rows)


def test_the_command_refuses_a_user_who_may_not_see_monitoring(demo, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command(
            "progress_report",
            "--from",
            "2020-01-01",
            "--to",
            "2020-10-31",
            "--out",
            str(tmp_path / "x.pdf"),
            "--as",
            "cedomir",
        )


@pytest.mark.parametrize(
    ("status", "ago", "progress_ago"),
    [
        pytest.param("queued", timedelta(minutes=61), timedelta(minutes=61), id="queued-an-hour"),
        pytest.param("running", timedelta(minutes=20), timedelta(minutes=11), id="no-progress"),
    ],
)
def test_a_file_the_worker_never_rendered_is_said_lost_not_polled_for_ever(
    demo: ProgressReport, client_for, status, ago, progress_ago
) -> None:
    """The worker stopped or was restarted with the file: queued for an hour (a report takes
    seconds), or being rendered with no progress for ten minutes. The page stops polling (it
    polled every second, for ever) and says to ask again; the API says failed and why."""
    rendition = ReportRendition.objects.create(
        report=demo,
        format="pdf",
        language="en",
        requested_by=User.objects.get(username="dragan"),
        status=status,
    )
    now = timezone.now()
    ReportRendition.objects.filter(pk=rendition.pk).update(
        created_at=now - ago, updated_at=now - progress_ago
    )
    client = client_for("dragan")
    page = client.get(
        reverse("monitoring:rendition", args=[demo.pk, rendition.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "hx-trigger" not in page
    assert "was not finished: the background worker stopped or was restarted" in page
    answer = client.get(f"/api/v1/monitoring/reports/{demo.pk}/files/{rendition.pk}").json()
    assert answer["status"] == "failed"
    assert "was not finished" in answer["error"]


def test_a_file_being_rendered_is_polled_and_its_progress_keeps_it_alive(
    demo: ProgressReport, client_for
) -> None:
    rendition = ReportRendition.objects.create(
        report=demo, format="pdf", language="en", requested_by=User.objects.get(username="dragan")
    )
    ReportRendition.objects.filter(pk=rendition.pk).update(
        created_at=timezone.now() - timedelta(minutes=30)
    )
    ReportRendition.save_progress(rendition.pk, 40)
    page = client_for("dragan").get(
        reverse("monitoring:rendition", args=[demo.pk, rendition.pk]), HTTP_HX_REQUEST="true"
    )
    assert 'hx-trigger="every 1s"' in page.content.decode()
    answer = client_for("dragan").get(f"/api/v1/monitoring/reports/{demo.pk}/files/{rendition.pk}")
    assert (answer.json()["status"], answer.json()["error"]) == ("running", "")
