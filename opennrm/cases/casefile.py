"""The case file for the person concerned: a PDF of everything the system holds about them.

Data-subject access (the right of access of data-protection law, and the HTCDS consent guidance:
the person is told they may request their personal data). The file covers the person's personal
data and every case of theirs that the requesting case manager's agency holds — history,
identification decisions, recovery and reflection period, residence permits, guardians, consents,
services, shelter stays, the support plan and case notes. Notes marked *restricted* are withheld
and counted, since they may hold third parties' information; the data protection officer decides
on them. The export is audited as a disclosure whose recipient is the data subject.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone, translation

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.cases import vocab
from opennrm.cases.models import Case, CaseNote, CasePlan, Person
from opennrm.core.documents import render_pdf
from opennrm.core.errors import NotFoundError

DISCLOSURE_VERB = "case.export_file"
RECIPIENT = "data subject"


@dataclass(frozen=True)
class CaseSection:
    case: Case
    history: list[Any]
    decisions: list[Any]
    permits: list[Any]
    guardians: list[Any]
    consents: list[Any]
    services: list[Any]
    stays: list[Any]
    plan: CasePlan | None
    notes: list[CaseNote]
    withheld_notes: int


@dataclass(frozen=True)
class CaseFile:
    person: Person
    cases: list[CaseSection]
    requested: Case
    language: str
    generated_at: Any

    @property
    def filename(self) -> str:
        return f"case-file-{self.person.code}.pdf"


def _section(case: Case) -> CaseSection:
    notes = list(case.notes.order_by("created_at", "id"))
    shared = [n for n in notes if n.sensitivity < vocab.NoteSensitivity.RESTRICTED]
    return CaseSection(
        case=case,
        history=list(case.status_changes.select_related("actor").order_by("at", "id")),
        decisions=list(case.decisions.order_by("decided_on", "id")),
        permits=list(case.residence_permits.order_by("applied_on", "id")),
        guardians=list(case.guardians.order_by("appointed_on", "id")),
        consents=list(case.consents.order_by("recorded_at", "id")),
        services=list(case.service_requests.select_related("provider_agency").order_by("id")),
        stays=list(case.shelter_stays.select_related("shelter").order_by("admitted_on", "id")),
        plan=CasePlan.objects.filter(case=case).first(),
        notes=shared,
        withheld_notes=len(notes) - len(shared),
    )


def case_file_get(*, actor: User, pk: int, language: str) -> CaseFile:
    """The case file of the person of case ``pk``: requires ``case.export_file`` on that case
    (the lead agency's case managers). Other cases of the same person are included only when the
    actor may export them too. Not audited here: ``case_file_pdf`` audits the disclosure.
    """
    case = (
        policy.scope(actor, Case.objects.select_related("person"), "case.view")
        .filter(pk=pk)
        .first()
    )
    if case is None or not policy.can(actor, "case.export_file", case):
        # Same answer for "does not exist" and "not yours": existence is not disclosed either.
        raise NotFoundError(
            translation.gettext("This record does not exist or you may not see it.")
        )
    person = case.person
    cases = [
        _section(other)
        for other in policy.scope(actor, person.cases.all(), "case.view").order_by("id")
        if policy.can(actor, "case.export_file", other)
    ]
    return CaseFile(
        person=person,
        cases=cases,
        requested=case,
        language=language,
        generated_at=timezone.now(),
    )


def case_file_pdf(*, actor: User, pk: int, language: str) -> tuple[str, bytes]:
    """Render the case file as PDF in ``language`` and audit the disclosure to the data subject.

    Permission: ``case.export_file`` on the case. Returns (filename, PDF bytes).
    """
    casefile = case_file_get(actor=actor, pk=pk, language=language)
    with translation.override(language):
        pdf = render_pdf(
            "cases/ops/case_file.html",
            {"file": casefile, "actor": actor, "today": timezone.localdate()},
        )
    record(
        actor=actor,
        verb=DISCLOSURE_VERB,
        target=casefile.requested,
        purpose="data subject access request",
        recipient=RECIPIENT,
        changes={"cases": [None, [section.case.code for section in casefile.cases]]},
    )
    return casefile.filename, pdf
