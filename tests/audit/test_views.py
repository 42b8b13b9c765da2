"""The auditor's pages: browse and filter, export, verify; nobody else gets in."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from opennrm.accounts.models import Agency, User
from opennrm.audit import triggers
from opennrm.audit.models import AuditEntry
from opennrm.audit.selectors import EntryFilters, entry_list
from opennrm.audit.services import record, seal_pending
from tests.conftest import assert_access

pytestmark = pytest.mark.django_db


def test_only_the_auditor_may_browse_export_and_verify(
    client_for: Callable[[str], Client],
) -> None:
    assert_access(client_for, reverse("audit:list"), allowed=["zoran"])
    assert_access(client_for, reverse("audit:export"), allowed=["zoran"])
    assert_access(client_for, reverse("audit:verify"), allowed=["zoran"], method="post")


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(reverse("audit:list"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.fixture
def trail(personas: dict[str, User], agencies: dict[str, Agency]) -> dict[str, AuditEntry]:
    """Four entries on known days, by known people, about known records."""
    made = {}
    with time_machine.travel(datetime(2026, 3, 1, 10, tzinfo=UTC), tick=False):
        made["vesna_view"] = record(
            actor=personas["vesna"],
            verb="case.view_pii",
            target_type="cases.case",
            target_id="17",
            target_label="RS-2026-00017",
            purpose="assigned case",
        )
    with time_machine.travel(datetime(2026, 3, 5, 10, tzinfo=UTC), tick=False):
        made["vesna_update"] = record(
            actor=personas["vesna"],
            verb="case.update",
            target_type="cases.case",
            target_id="17",
            target_label="RS-2026-00017",
            changes={"status": ["a", "b"]},
        )
        made["cedomir_glass"] = record(
            actor=personas["cedomir"],
            verb="access.break_glass",
            target_type="cases.case",
            target_id="18",
            target_label="RS-2026-00018",
            purpose="urgent",
            flagged=True,
        )
    with time_machine.travel(datetime(2026, 3, 9, 10, tzinfo=UTC), tick=False):
        made["milan_view"] = record(
            actor=personas["milan"],
            verb="case.view_pii",
            target_type="cases.case",
            target_id="18",
            target_label="RS-2026-00018",
            purpose='=HYPERLINK("http://x")',
        )
    return made


def _ids(filters: EntryFilters, zoran: User) -> list[int]:
    return list(
        entry_list(actor=zoran, filters=filters)
        .filter(target_type="cases.case")
        .values_list("id", flat=True)
    )


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (EntryFilters(), ["milan_view", "cedomir_glass", "vesna_update", "vesna_view"]),
        (EntryFilters(username="VESNA"), ["vesna_update", "vesna_view"]),
        (EntryFilters(agency="Police"), ["cedomir_glass"]),
        (EntryFilters(verb="case."), ["milan_view", "vesna_update", "vesna_view"]),
        (EntryFilters(verb="case.view_pii"), ["milan_view", "vesna_view"]),
        (EntryFilters(target_type="cases.case", target_id="18"), ["milan_view", "cedomir_glass"]),
        (
            EntryFilters(
                date_from=datetime(2026, 3, 5).date(), date_to=datetime(2026, 3, 5).date()
            ),
            ["cedomir_glass", "vesna_update"],
        ),
        (EntryFilters(flagged_only=True), ["cedomir_glass"]),
    ],
)
def test_the_trail_filters_by_user_agency_action_record_period_and_flag(
    trail: dict[str, AuditEntry],
    personas: dict[str, User],
    filters: EntryFilters,
    expected: list[str],
) -> None:
    assert _ids(filters, personas["zoran"]) == [trail[name].pk for name in expected]


def test_the_selector_gives_nothing_to_anyone_without_the_audit_action(
    trail: dict[str, AuditEntry], personas: dict[str, User]
) -> None:
    for username in ("ivan", "cedomir", "nada", "vesna"):
        assert not entry_list(actor=personas[username]).exists()


def test_the_page_shows_filtered_entries_with_labels(
    trail: dict[str, AuditEntry], client_for: Callable[[str], Client]
) -> None:
    response = client_for("zoran").get(reverse("audit:list"), {"flagged_only": "on"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Break the glass: access outside own cases" in content
    assert "RS-2026-00018" in content
    assert "RS-2026-00017" not in content
    assert "1 entry" in content


def test_the_export_is_streamed_safe_for_spreadsheets_and_itself_audited(
    trail: dict[str, AuditEntry], client_for: Callable[[str], Client]
) -> None:
    response = client_for("zoran").get(reverse("audit:export"), {"target_id": "18"})

    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="audit-trail.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["actor"], r["action"], r["record_id"]) for r in rows] == [
        ("milan", "case.view_pii", "18"),
        ("cedomir", "access.break_glass", "18"),
    ]
    assert rows[0]["purpose"] == '\'=HYPERLINK("http://x")'
    assert rows[1]["flagged"] == "True"
    export = AuditEntry.objects.filter(verb="audit.export").get()
    assert (export.actor_label, export.changes) == ("zoran", {"filters": [None, "target_id=18"]})


def test_the_verify_page_reports_an_intact_chain(
    trail: dict[str, AuditEntry], client_for: Callable[[str], Client]
) -> None:
    response = client_for("zoran").post(reverse("audit:verify"))

    total = AuditEntry.objects.count() - 1  # the verification's own entry comes after the walk
    assert f"The chain is intact: {total} entries verified." in response.content.decode()
    assert AuditEntry.objects.filter(verb="audit.verify", actor_label="zoran").exists()


def test_the_verify_page_names_an_altered_entry(
    trail: dict[str, AuditEntry], client_for: Callable[[str], Client]
) -> None:
    seal_pending()
    entry = trail["vesna_update"]
    triggers.uninstall(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditentry SET purpose = 'x' WHERE id = %s", [entry.pk])
    finally:
        triggers.install(connection)

    response = client_for("zoran").post(reverse("audit:verify"))

    seq = entry.seal.seq
    assert (
        f"Entry {entry.pk} (seal {seq}): the entry&#x27;s content was altered "
        "(or entries were swapped)."
    ) in response.content.decode()


def test_verification_is_only_run_by_a_post(client_for: Callable[[str], Client]) -> None:
    assert client_for("zoran").get(reverse("audit:verify")).status_code == 405


def test_the_trail_says_more_than_the_cap_instead_of_counting_every_entry(
    client_for: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from opennrm.core import pagination

    for number in range(3):
        record(actor=None, verb="test.capped", purpose=f"entry {number}")
    zoran = client_for("zoran")
    url = reverse("audit:list") + "?verb=test.capped"
    assert "3 entries" in zoran.get(url).content.decode()
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    html = zoran.get(url).content.decode()
    assert "More than 2 entries" in html
    assert "3 entries" not in html
