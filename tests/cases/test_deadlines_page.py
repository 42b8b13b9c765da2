"""Lists are paged: the deadlines page (50 a page, the counts over all of them) and a case's
history (50 entries a page, none dropped)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import time_machine
from django.utils import timezone

from opennrm.cases.imports import import_legacy_file


def test_the_deadlines_page_shows_fifty_a_page_and_counts_them_all(personas, client_for) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "prs_FirstName",
            "prs_SecondName",
            "vic_TraffickingStatus",
            "cas_ReferringOrganisation",
            "cas_IncomingReferralDate",
        ]
    )
    writer.writerows(
        [f"Ime{i}", "Prezime", "Possible victim", "ASTRA", "2015-05-03"] for i in range(60)
    )
    # Imported 40 days ago: each decision, owed from the import, is now 10 days overdue.
    with time_machine.travel(timezone.now() - timedelta(days=40), tick=False):
        import_legacy_file(
            actor=personas["vesna"], data=buffer.getvalue().encode(), filename="register.csv"
        )
    client = client_for("vesna")
    first = client.get("/cases/deadlines/").content.decode()
    second = client.get("/cases/deadlines/?page=2").content.decode()
    assert "60 open deadlines, 60 overdue." in first
    assert first.count("Identification decision due") == 50
    assert "Page 1 of 2" in first
    assert second.count("Identification decision due") == 10
    assert "Page 2 of 2" in second


def test_a_case_s_history_is_paged_not_cut_at_two_hundred(personas, client_for) -> None:
    from django.urls import reverse

    from opennrm.cases import services
    from tests.cases.helpers import accepted_case, fresh

    vesna = personas["vesna"]
    case = accepted_case(personas["ana"], vesna)
    for number in range(60):
        case = fresh(case)
        services.case_update(
            actor=vesna,
            case=case,
            expected_version=case.version,
            risk_level=("low", "high")[number % 2],
        )
    client = client_for("vesna")
    url = reverse("cases:case_history", args=[case.pk])
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    assert first.count("<td>Case updated</td>") == 50
    assert "Page 1 of 2" in first
    assert second.count("<td>Case updated</td>") == 10
    assert "<td>Case opened</td>" in second  # the oldest entries are on the last page
