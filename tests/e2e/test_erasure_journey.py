"""Done when (issue 15): a case is closed, falls due, two people approve its erasure, the person's
name is gone from the database and every page, the year's statistics are unchanged, and the audit
trail verifies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from opennrm.accounts.models import User
from opennrm.audit.services import seal_pending
from opennrm.audit.verification import verify_chain
from opennrm.cases import services as case_services
from opennrm.cases import vocab
from opennrm.cases.models import Case
from opennrm.core.crypto import CryptoError, decrypt
from opennrm.core.fields import encrypted_fields
from tests.cases.helpers import identified_case
from tests.lifecycle.test_erasure import _year_tables

GIVEN, FAMILY = "Radmila", "Vukosavljević"


def _stored_text() -> str:
    """Every value of every table as stored, with each ciphertext decrypted beside it: what a
    thief of the database file (and of the keys) would read."""
    parts: list[str] = []
    contexts = {
        (model._meta.db_table, field.column): field.crypto_context
        for model, field in encrypted_fields()
    }
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    parts.append(str(value))
                    context = contexts.get((table, column))
                    if context and isinstance(value, str) and value.startswith("enc1:"):
                        try:
                            parts.append(decrypt(value, context=context))
                        except CryptoError:
                            parts.append("<undecryptable>")
    return "\n".join(parts)


def _new_page(browser: Browser, server_url: str) -> Page:
    context = browser.new_context(base_url=server_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def test_a_closed_case_falls_due_two_people_approve_and_the_name_is_gone(
    browser: Browser,
    server_url: str,
    personas: dict[str, User],
    login_as: Callable[[Page, str], None],
) -> None:
    case = identified_case(
        personas["ana"], personas["vesna"], given_names=GIVEN, family_name=FAMILY
    )
    case_services.case_close(
        actor=personas["vesna"],
        case=case,
        expected_version=case.version,
        reason=vocab.ClosureReason.OTHER,
        details=f"{GIVEN} {FAMILY} returned home to Kraljevo.",
    )
    code = case.person.code
    tables_before = _year_tables()
    assert FAMILY in _stored_text()

    vesna = _new_page(browser, server_url)
    login_as(vesna, "vesna")
    vesna.goto(f"/cases/{case.pk}/")
    expect(vesna.locator("main")).to_contain_text(FAMILY)  # the page did show the name

    # Ten years later the daily job proposes the erasure.
    due = timezone.localdate() + timedelta(days=3651)
    call_command("retention_job", today=due.isoformat())

    vesna.goto("/lifecycle/erasures/")
    row = vesna.locator("tr", has_text=code)
    expect(row).to_contain_text("Proposed")
    row.get_by_role("button", name="Approve erasure").click()
    expect(vesna.locator(".alert-info")).to_contain_text(
        f"{code}: approved; a second person must approve too."
    )
    # One approval changes nothing yet.
    vesna.goto(f"/cases/{case.pk}/")
    expect(vesna.locator("main")).to_contain_text(FAMILY)

    zoran = _new_page(browser, server_url)
    login_as(zoran, "zoran")
    zoran.goto("/lifecycle/erasures/")
    zoran.locator("tr", has_text=code).get_by_role("button", name="Approve erasure").click()
    expect(zoran.locator(".alert-info")).to_contain_text(f"{code}: personal data erased.")

    # Gone from every page the case manager can open about the person ...
    for url in (f"/cases/{case.pk}/", f"/cases/{case.pk}/history/", "/cases/", "/"):
        vesna.goto(url)
        body = vesna.locator("body").inner_text()
        assert FAMILY not in body, url
        assert GIVEN not in body, url
    vesna.goto(f"/cases/{case.pk}/")
    expect(vesna.locator("main")).to_contain_text(code)  # the pseudonymous case remains
    # ... and from the database, even decrypted.
    stored = _stored_text()
    assert FAMILY not in stored
    assert "Kraljevo" not in stored
    assert Case.objects.get(pk=case.pk).person.name_index == ""
    # The year's statistics are unchanged and the audit trail verifies.
    assert _year_tables() == tables_before
    seal_pending()
    report = verify_chain()
    assert report.ok
    assert report.unsealed == 0
