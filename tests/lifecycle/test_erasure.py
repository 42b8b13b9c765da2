"""Retention and erasure: the job proposes what fell due, two different authorised people approve,
a legal hold blocks, and erasure destroys the personal data while the year's statistics, the audit
trail and its chain stay whole."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from opennrm.audit.services import seal_pending
from opennrm.audit.verification import verify_chain
from opennrm.cases import services as case_services
from opennrm.cases import vocab
from opennrm.cases.models import Case, Person
from opennrm.core.errors import ConflictError, PermissionDeniedError
from opennrm.lifecycle import services
from opennrm.lifecycle.models import ErasureProposal, ErasureStatus
from opennrm.statistics.tables import Period, build_tables, standard_tables
from tests.cases.helpers import identified_case

pytestmark = pytest.mark.django_db


def _closed_case(personas: dict[str, User], **overrides: object) -> Case:
    case = identified_case(personas["ana"], personas["vesna"], **overrides)
    case_services.case_close(
        actor=personas["vesna"],
        case=case,
        expected_version=case.version,
        reason=vocab.ClosureReason.OTHER,
        details="Marko Jovanović moved back to his aunt Milica in Niš.",
    )
    return Case.objects.get(pk=case.pk)


def _later(days: int = 3651) -> date:
    return timezone.localdate() + timedelta(days=days)


def _year_tables() -> list[tuple[str, object, tuple[str, ...], tuple[str, ...]]]:
    year = timezone.localdate().year
    built = build_tables(standard_tables().values(), Period(date(year, 1, 1), date(year, 12, 31)))
    return [(t.id, t.table.cells, t.row_names, t.column_names) for t in built]


def _raw_values(person: Person) -> str:
    """Every stored value of the person's rows, as the database file holds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_names, family_name, date_of_birth, contacts, name_index, "
            "name_dob_index, name_yob_index FROM cases_person WHERE id = %s",
            [person.pk],
        )
        return repr(cursor.fetchone())


def test_nothing_is_proposed_before_the_retention_period_ends(
    personas: dict[str, User],
) -> None:
    _closed_case(personas)
    run = services.retention_propose_due(today=_later(3649))
    assert run.proposed == 0
    assert not ErasureProposal.objects.exists()


def test_the_job_proposes_once_and_never_erases_by_itself(personas: dict[str, User]) -> None:
    case = _closed_case(personas)
    first = services.retention_propose_due(today=_later())
    again = services.retention_propose_due(today=_later())
    assert (first.proposed, again.proposed, again.already_open) == (1, 0, 1)
    proposal = ErasureProposal.objects.get()
    assert proposal.person == case.person
    assert proposal.status == ErasureStatus.PROPOSED
    assert Person.objects.get(pk=case.person_id).family_name == "Jovanović"


def test_each_proposal_has_its_audit_entry_and_the_chain_verifies(
    personas: dict[str, User],
) -> None:
    cases = [_closed_case(personas), _closed_case(personas, family_name="Ilić")]
    run = services.retention_propose_due(today=_later())
    assert run.proposed == 2
    for case in cases:
        proposal = ErasureProposal.objects.get(person=case.person)
        entry = AuditEntry.objects.get(verb="lifecycle.erasure_proposed", target_id=proposal.pk)
        assert (entry.actor_id, entry.actor_label) == (None, "retention job")
        assert (entry.target_type, entry.target_label) == (
            "lifecycle.erasureproposal",
            f"erasure proposal #{proposal.pk}",
        )
        assert entry.changes == {"person": case.person.code, "kind": "closed_case", "held": False}
        assert proposal.due_on == case.closed_at.date() + timedelta(days=3650)
    seal_pending()
    assert verify_chain().ok


def test_a_restriction_in_force_holds_the_proposal(personas: dict[str, User]) -> None:
    from opennrm.lifecycle.requests import request_answer, request_register

    held, free = _closed_case(personas), _closed_case(personas, family_name="Ilić")
    request = request_register(
        actor=personas["vesna"],
        person_code=held.person.code,
        kind="restriction",
        received_on=timezone.localdate(),
    )
    # Answered (no longer pending) while the restriction stays in force.
    request_answer(actor=personas["vesna"], request_id=request.pk, answer="Restricted.")
    run = services.retention_propose_due(today=_later())
    assert (run.proposed, run.held) == (1, 1)
    proposal = ErasureProposal.objects.get(person=held.person)
    assert proposal.status == ErasureStatus.HELD
    assert proposal.hold_reason == "a restriction of processing is in force"
    assert ErasureProposal.objects.get(person=free.person).status == ErasureStatus.PROPOSED
    entry = AuditEntry.objects.get(verb="lifecycle.erasure_proposed", target_id=proposal.pk)
    assert entry.changes["held"] is True


def test_a_rejected_erasure_is_not_proposed_again_until_a_case_closes_after_it(
    personas: dict[str, User],
) -> None:
    case = _closed_case(personas)
    services.retention_propose_due(today=_later())
    proposal = ErasureProposal.objects.get()
    services.erasure_reject(actor=personas["vesna"], proposal_id=proposal.pk)
    again = services.retention_propose_due(today=_later())
    assert (again.proposed, again.already_open) == (0, 0)
    assert ErasureProposal.objects.count() == 1
    # The case is reopened and closed again: it falls due ten years after that closing.
    case_services.case_reopen(
        actor=personas["vesna"], case=case, expected_version=case.version, reason="New facts."
    )
    case = Case.objects.get(pk=case.pk)
    case_services.case_close(
        actor=personas["vesna"],
        case=case,
        expected_version=case.version,
        reason=vocab.ClosureReason.OTHER,
    )
    assert services.retention_propose_due(today=_later()).proposed == 1
    assert ErasureProposal.objects.filter(status=ErasureStatus.PROPOSED).count() == 1


def test_an_open_case_is_a_legal_hold(personas: dict[str, User]) -> None:
    case = _closed_case(personas)
    services.retention_propose_due(today=_later())
    proposal = ErasureProposal.objects.get()
    services.erasure_approve(actor=personas["vesna"], proposal_id=proposal.pk)
    case_services.case_reopen(
        actor=personas["vesna"], case=case, expected_version=case.version, reason="New facts."
    )
    with pytest.raises(ConflictError, match="legal hold: a case of this person is open"):
        services.erasure_approve(actor=personas["zoran"], proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == ErasureStatus.HELD
    assert Person.objects.get(pk=case.person_id).family_name == "Jovanović"


def test_one_person_cannot_approve_twice(personas: dict[str, User]) -> None:
    case = _closed_case(personas)
    services.retention_propose_due(today=_later())
    proposal = ErasureProposal.objects.get()
    services.erasure_approve(actor=personas["vesna"], proposal_id=proposal.pk)
    with pytest.raises(ConflictError, match="A second, different person must approve"):
        services.erasure_approve(actor=personas["vesna"], proposal_id=proposal.pk)
    assert Person.objects.get(pk=case.person_id).family_name == "Jovanović"


@pytest.mark.parametrize("username", ["ana", "milan", "jelena", "dragan", "ivan", "cedomir"])
def test_only_case_managers_and_the_dpo_approve(personas: dict[str, User], username: str) -> None:
    _closed_case(personas)
    services.retention_propose_due(today=_later())
    proposal = ErasureProposal.objects.get()
    with pytest.raises(PermissionDeniedError):
        services.erasure_approve(actor=personas[username], proposal_id=proposal.pk)
    response = Client()
    response.force_login(personas[username])
    assert response.get("/lifecycle/erasures/").status_code == 403


@override_settings(AUDIT_SEALER="inline")
def test_two_approvals_erase_the_person_and_keep_statistics_and_audit(
    personas: dict[str, User],
) -> None:
    case = _closed_case(personas)
    other = _closed_case(personas, given_names="Jelena", family_name="Ilić")
    seal_pending()
    person = case.person
    tables_before = _year_tables()
    counted = sum(
        v for _, cells, _, _ in tables_before for row in cells for v in row if isinstance(v, int)
    )
    assert counted > 0  # the two people are in this year's figures
    entries_before = AuditEntry.objects.count()
    services.retention_propose_due(today=_later())
    proposal = ErasureProposal.objects.get(person=person)

    services.erasure_approve(actor=personas["vesna"], proposal_id=proposal.pk)
    assert Person.objects.get(pk=person.pk).family_name == "Jovanović"  # one approval: nothing
    services.erasure_approve(actor=personas["zoran"], proposal_id=proposal.pk)

    erased = Person.objects.get(pk=person.pk)
    assert (erased.given_names, erased.family_name, erased.date_of_birth) == ("", "", "")
    assert (erased.name_index, erased.name_dob_index, erased.name_yob_index) == ("", "", "")
    assert erased.code == person.code  # the pseudonym stays for statistics and the audit trail
    assert "enc1:" not in _raw_values(erased)
    stored = Case.objects.get(pk=case.pk)
    assert stored.closure_details == ""
    assert stored.decisions.get().reasoning == ""
    assert stored.referral.subject_family_name == ""
    assert stored.referral.reason == ""
    # The other person is untouched.
    assert Person.objects.get(pk=other.person_id).family_name == "Ilić"
    # The year's statistics are identical.
    assert _year_tables() == tables_before
    # The audit trail grew (nothing was removed), verifies, and holds a signed erasure record.
    seal_pending()
    assert AuditEntry.objects.count() > entries_before
    assert verify_chain().ok
    record = AuditEntry.objects.get(verb="lifecycle.erasure")
    assert record.target_label == person.code
    assert record.changes["approvers"] == ["vesna", "zoran"]
    assert record.changes["erased"]["cases.person.family_name"] == 1
    assert services.verify_erasure_record(record.changes)
    forged = dict(record.changes, approvers=["vesna", "vesna"])
    assert not services.verify_erasure_record(forged)
    # Nothing of the person's name is left in any audit entry either.
    assert not AuditEntry.objects.filter(target_label__icontains="Jovanovi").exists()
    # Erased people are not proposed again.
    assert services.retention_propose_due(today=_later()).proposed == 0


def test_the_approvers_page_approves_in_two_steps(personas: dict[str, User]) -> None:
    case = _closed_case(personas)
    services.retention_propose_due(today=_later())
    proposal = ErasureProposal.objects.get()
    vesna, zoran = Client(), Client()
    vesna.force_login(personas["vesna"])
    zoran.force_login(personas["zoran"])
    page = vesna.get("/lifecycle/erasures/").content.decode()
    assert case.person.code in page
    assert "Jovanović" not in page
    answer = vesna.post("/lifecycle/erasures/", {"proposal": proposal.pk, "action": "approve"})
    assert "approved; a second person must approve too" in answer.content.decode()
    again = vesna.post("/lifecycle/erasures/", {"proposal": proposal.pk, "action": "approve"})
    assert again.status_code == 400
    assert "you approved this erasure already" in again.content.decode()
    done = zoran.post("/lifecycle/erasures/", {"proposal": proposal.pk, "action": "approve"})
    assert f"{case.person.code}: personal data erased." in done.content.decode()
    assert Person.objects.get(pk=case.person_id).family_name == ""
