"""Pages: who may see and do what, the home-page panel, and forms that keep the input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from opennrm.monitoring.models import GretaRecommendation
from tests.conftest import assert_access
from tests.monitoring.conftest import World

pytestmark = pytest.mark.django_db

COORDINATORS = ["dragan", "nada", "sanja"]


def test_monitoring_pages_are_for_coordinators_only(
    world: World, client_for: Callable[[str], Client]
) -> None:
    report = world.report
    for url in (
        reverse("monitoring:dashboard"),
        reverse("monitoring:indicator", args=[world.manual.pk]),
        reverse("monitoring:recommendations"),
        reverse("monitoring:recommendation", args=[world.recommendations[0].pk]),
        reverse("monitoring:recommendations_import"),
        reverse("monitoring:meetings"),
        reverse("monitoring:meeting", args=[world.meeting.pk]),
        reverse("monitoring:reports"),
        reverse("monitoring:report", args=[report.pk]),
    ):
        assert_access(client_for, url, allowed=COORDINATORS)


def test_cedomir_cannot_change_a_recommendation_or_generate_a_report(
    world: World, client_for: Callable[[str], Client]
) -> None:
    rec = world.recommendations[1]
    cedomir = client_for("cedomir")
    response = cedomir.post(
        reverse("monitoring:recommendation", args=[rec.pk]),
        {"version": 1, "status": "fully", "evidence": "x"},
    )
    assert response.status_code == 403
    response = cedomir.post(
        reverse("monitoring:report_generate", args=[world.report.pk]),
        {"format": "pdf", "language": "en"},
    )
    assert response.status_code == 403
    rec.refresh_from_db()
    assert rec.status == "not_started"
    assert not world.report.renditions.exists()


def test_the_dashboard_shows_live_figures_chart_and_table(
    world: World, client_for: Callable[[str], Client]
) -> None:
    with time_machine.travel(date(2020, 10, 31)):
        page = client_for("dragan").get(reverse("monitoring:dashboard")).content.decode()
    assert 'data-chart="chart-progress"' in page
    assert 'id="chart-burn"' in page
    # One of four recommendations is fully implemented: the live indicator shows 25%.
    assert '<td class="text-end">25%</td>' in page
    assert '<td class="text-end">3</td>' in page  # last entered value of the manual indicator
    assert "Spent 150,000 of 750,000 EUR (20%)" in page


def test_a_stale_status_form_is_refused_and_keeps_the_input(
    world: World, client_for: Callable[[str], Client]
) -> None:
    rec = world.recommendations[1]
    url = reverse("monitoring:recommendation", args=[rec.pk])
    client = client_for("dragan")
    assert (
        client.post(url, {"version": 1, "status": "in_progress", "evidence": "A"}).status_code
        == 302
    )
    response = client_for("nada").post(url, {"version": 1, "status": "fully", "evidence": "Mine"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this record while you were editing it." in page
    assert "Mine</textarea>" in page
    assert GretaRecommendation.objects.get(pk=rec.pk).evidence == "A"


def test_an_import_with_errors_shows_them_by_row(world: World, client_for) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "greta.csv",
        b"round,report,paragraph,text,strength,theme\n2,R,1,Text,urges,nowhere\n",
        content_type="text/csv",
    )
    nada = client_for("nada")
    response = nada.post(reverse("monitoring:recommendations_import"), {"file": upload})
    assert response.status_code == 302  # into the import pipeline
    columns = response["Location"]
    mapping = {
        f"col-{i}": key
        for i, key in enumerate(["round", "report", "paragraph", "text", "strength", "theme"])
    }
    values = nada.post(columns, mapping)["Location"]
    page = nada.get(values).content.decode()
    assert "nowhere" in page  # an unknown theme, offered for mapping
    preview = nada.post(values, {})["Location"]
    page = nada.get(preview).content.decode()
    assert (
        "<td>2</td><td>Theme</td><td>“nowhere” is not an allowed value of “Theme”. "
        "Allowed values: identification, assistance, child victims, labour exploitation, "
        "access to justice, compensation, prevention, data collection.</td>"
    ) in page


def test_open_follow_ups_show_on_the_owners_home_page_until_done(
    world: World, client_for: Callable[[str], Client]
) -> None:
    nada = client_for("nada")
    with time_machine.travel(date(2021, 1, 5)):
        home = nada.get(reverse("home")).content.decode()
    assert "My follow-up actions" in home
    assert "1 follow-up action is overdue." in home
    assert "Circulate the 2021 work plan." in home
    assert "My follow-up actions" not in client_for("dragan").get(reverse("home")).content.decode()
    assert "My follow-up actions" not in client_for("cedomir").get(reverse("home")).content.decode()
    response = nada.post(
        reverse("monitoring:follow_up_done", args=[world.follow_up.pk]),
        {"version": world.follow_up.version, "next": "home"},
    )
    assert response.status_code == 302
    assert "My follow-up actions" not in nada.get(reverse("home")).content.decode()


def test_overdue_follow_ups_are_highlighted_on_the_meeting_page(world: World, client_for) -> None:
    with time_machine.travel(date(2021, 1, 5)):
        page = (
            client_for("dragan")
            .get(reverse("monitoring:meeting", args=[world.meeting.pk]))
            .content.decode()
        )
    assert '<tr class="table-danger">' in page
    assert "<strong>overdue</strong>" in page


def test_a_coordinator_records_a_meeting_with_a_decision_and_a_follow_up(
    world: World, client_for: Callable[[str], Client], agencies, personas
) -> None:
    from opennrm.monitoring.models import Meeting

    client = client_for("dragan")
    response = client.post(
        reverse("monitoring:meetings"),
        {
            "held_on": "2021-03-10",
            "place": "Online",
            "title": "Steering Committee, March 2021",
            "participant_agencies": [agencies["nco"].pk, agencies["eud"].pk],
        },
    )
    meeting = Meeting.objects.get(title="Steering Committee, March 2021")
    assert response["Location"] == reverse("monitoring:meeting", args=[meeting.pk])
    url = reverse("monitoring:meeting", args=[meeting.pk])
    client.post(url, {"kind": "decision", "decision-text": "The 2021 plan is adopted."})
    page = client.get(url).content.decode()
    assert f'<option value="{personas["nada"].pk}">' in page
    assert f'<option value="{personas["vesna"].pk}">' not in page  # may not see monitoring
    client.post(
        url,
        {
            "kind": "follow_up",
            "follow-text": "Send the plan.",
            "follow-owner": personas["nada"].pk,
            "follow-due_on": "2021-04-01",
        },
    )
    assert [d.text for d in meeting.decisions.all()] == ["The 2021 plan is adopted."]
    assert [(f.text, f.owner.username) for f in meeting.follow_ups.all()] == [
        ("Send the plan.", "nada")
    ]
    refused = client_for("cedomir").post(url, {"kind": "decision", "decision-text": "Mine."})
    assert refused.status_code == 403
    assert meeting.decisions.count() == 1
