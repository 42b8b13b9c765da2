"""Legacy import: validated first, all or nothing, idempotent, only for case managers."""

from __future__ import annotations

import csv
import io
import weakref
from datetime import date

import pytest
from openpyxl import Workbook

from opennrm.audit.models import AuditEntry
from opennrm.cases.imports import import_legacy_file
from opennrm.cases.models import Case, CodeSequence, IdentificationDecision, Person, Referral
from opennrm.cases.services import person_find_duplicates
from opennrm.core.errors import PermissionDeniedError
from opennrm.core.tabular import TabularError

HEADER = [
    "cas_CaseId",
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "vic_TraffickingStatus",
    "vic_TypeOfExploitation",
    "vic_MethodsOfControl",
    "cas_Status",
    "cas_ReasonForCaseClosure",
    "cas_ReferringOrganisation",
    "cas_IncomingReferralDate",
]
GOOD_ROWS = [
    [
        "A-1",
        "Јована",
        "Петровић",
        "1998-04-12",
        "Feminine",
        "RS",
        "ActualVictimOfTrafficking",
        "SexualExploitation",
        "DebtBondage;FalsePromises",
        "Active",
        "",
        "ASTRA",
        "2020-03-01",
    ],
    [
        "A-2",
        "Oksana",
        "Kovalenko",
        "1990",
        "Feminine",
        "UA",
        "PossibleVictimOfTrafficking",
        "ForcedLabour",
        "",
        "FollowUp",
        "",
        "Labour Inspectorate",
        "01.06.2021.",
    ],
    [
        "A-3",
        "Marko",
        "Nikolić",
        "2008-02-02",
        "M",
        "RS; BA",
        "NotAVictimOfTrafficking",
        "ForcedBegging",
        "",
        "Closed",
        "not_identified",
        "Инспекторат за рад",
        "2022-09-30",
    ],
]


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_a_good_file_imports_every_row_with_codes_indexes_and_workflow(personas) -> None:
    vesna = personas["vesna"]
    result = import_legacy_file(actor=vesna, data=csv_bytes(GOOD_ROWS), filename="legacy.csv")
    assert (result.rows, result.created, result.skipped) == (3, 3, 0)
    assert [case.split("/")[0][:8] for case in result.codes] == ["RS-2020-", "RS-2021-", "RS-2022-"]
    cases = {c.code: c for c in Case.objects.select_related("person")}
    jovana = cases[result.codes[0]]
    assert jovana.status == "identified"
    assert jovana.person.given_names == "Јована"
    assert jovana.person.year_of_birth == 1998
    assert jovana.means_of_control == ["DebtBondage", "FalsePromises"]
    # Nothing the file did not state: no recovery and reflection period, marked as imported.
    assert jovana.presumed_victim_date == date(2020, 3, 1)
    assert (jovana.reflection_period_start, jovana.reflection_period_end) == (None, None)
    assert jovana.imported_at is not None
    assert jovana.lead_agency == vesna.agency
    assert jovana.caseworker == vesna
    oksana = cases[result.codes[1]]
    assert oksana.status == "presumed_victim"
    assert oksana.person.date_of_birth == ""
    assert oksana.person.year_of_birth == 1990
    marko = cases[result.codes[2]]
    assert marko.status == "closed"
    assert marko.closure_reason == "not_identified"
    assert marko.is_child is True
    assert marko.person.citizenship == ["RS", "BA"]
    assert list(marko.status_changes.values_list("to_status", flat=True)) == [
        "referred",
        "under_assessment",
        "not_identified",
        "closed",
    ]
    assert IdentificationDecision.objects.filter(case=marko, outcome="not_identified").count() == 1
    # the referring agency matched by its Serbian name
    assert Referral.objects.get(case=marko).from_agency.short_name == "LI"
    # the person's next case takes ordinal 2, not a code already used
    assert CodeSequence.objects.get(name=f"case:{marko.person_id}").value == 1


def test_imported_people_are_found_by_the_duplicate_check_in_any_script(personas) -> None:
    import_legacy_file(actor=personas["vesna"], data=csv_bytes(GOOD_ROWS), filename="legacy.csv")
    matches = person_find_duplicates(
        actor=personas["vesna"], given_names="Jovana", family_name="Petrovic", year_of_birth=1998
    )
    assert [strength for _person, strength in matches] == ["name_and_year"]


def test_the_import_is_audited_once_with_counts_and_once_per_case(personas) -> None:
    result = import_legacy_file(
        actor=personas["vesna"], data=csv_bytes(GOOD_ROWS), filename="legacy.csv"
    )
    summary = AuditEntry.objects.get(verb="cases.import")
    assert summary.actor == personas["vesna"]
    assert summary.changes == {"file": "legacy.csv", "rows": 3, "created": 3, "skipped": 0}
    per_case = AuditEntry.objects.filter(verb="case.import").order_by("id")
    assert [entry.target_label for entry in per_case] == result.codes
    assert all("Јована" not in entry.target_label for entry in per_case)


@pytest.mark.parametrize("sealer", ["inline", "external"])
def test_the_import_s_entries_are_sealed_as_the_audit_service_seals(
    personas, settings, django_capture_on_commit_callbacks, sealer: str
) -> None:
    from opennrm.audit import services as audit_services
    from opennrm.audit.models import AuditSeal
    from opennrm.audit.verification import verify_chain

    settings.AUDIT_SEALER = sealer
    audit_services._last_seal_attempt = 0.0  # not throttled by an earlier test's sealing
    with django_capture_on_commit_callbacks(execute=True):
        result = import_legacy_file(
            actor=personas["vesna"], data=csv_bytes(GOOD_ROWS), filename="legacy.csv"
        )
    written = AuditEntry.objects.filter(verb__in=["case.import", "cases.import"]).count()
    assert written == result.created + 1
    if sealer == "inline":  # sealed by the importer's process once, after the commit
        assert AuditSeal.objects.count() == AuditEntry.objects.count()
        assert verify_chain().unsealed == 0
    else:  # left to ``seal_audit --follow``, which finds them all
        assert not AuditSeal.objects.exists()
        assert audit_services.seal_pending() == AuditEntry.objects.count()
    assert verify_chain().ok


def test_re_importing_the_same_file_creates_nothing_new(personas) -> None:
    data = csv_bytes(GOOD_ROWS)
    import_legacy_file(actor=personas["vesna"], data=data, filename="legacy.csv")
    again = import_legacy_file(actor=personas["vesna"], data=data, filename="legacy.csv")
    assert (again.rows, again.created, again.skipped) == (3, 0, 3)
    assert Person.objects.count() == 3
    assert Case.objects.count() == 3


def test_a_bad_file_changes_nothing_and_names_row_column_and_reason(personas) -> None:
    rows = [
        GOOD_ROWS[0],
        [
            "B-2",
            "Ana",
            "",
            "31.02.1990",
            "Femme",
            "Serbland",
            "ActualVictimOfTrafficking",
            "Tourism",
            "",
            "Active",
            "",
            "Nobody Ltd",
            "2099-01-01",
        ],
        [
            "B-3",
            "Ivan",
            "Ivanov",
            "",
            "Masculine",
            "",
            "Victim",
            "",
            "",
            "Closed",
            "",
            "ASTRA",
            "2021-01-01",
        ],
    ]
    with pytest.raises(TabularError) as caught:
        import_legacy_file(actor=personas["vesna"], data=csv_bytes(rows), filename="bad.csv")
    forms = (
        "2013-02-09, 09.02.2013, 9. 2. 2013., 09/02/2013, 2013/02/09, 09.02.13 (a two-digit year "
        "is the latest such year not after this one), or an Excel date"
    )
    assert [(e.row, e.column, e.message) for e in caught.value.errors] == [
        (3, "prs_SecondName", "This value is required."),
        (3, "prs_Birthdate", f"“31.02.1990” is not a date. Accepted forms: {forms}."),
        (
            3,
            "prs_Gender",
            "“Femme” is not an allowed value. Allowed values: Female (Feminine); Male "
            "(Masculine); Transgender female (TransgenderFeminine); Transgender male "
            "(TransgenderMasculine); Gender non-conforming (NonConforming); Not specified or "
            "unknown (NonSpecifiedUnknown).",
        ),
        (
            3,
            "prs_Citizenship",
            "“Serbland” is not an allowed value. Closest allowed values: Switzerland (CH); "
            "Serbia (RS); Ireland (IE).",
        ),
        (
            3,
            "vic_TypeOfExploitation",
            "“Tourism” is not an allowed value. Allowed values: Forced labour (ForcedLabour); "
            "Sexual exploitation (SexualExploitation); Child labour (ChildLabour); Forced "
            "marriage (ForcedMarriage); Servitude (Servitude); Forced military service "
            "(ForcedMilitaryByNonStateActors); Removal of organs (OrganRemoval); Forced begging "
            "(ForcedBegging); Forced criminality (ForcedCriminality); Forced adoption "
            "(ForcedAdoption); Surrogacy (Surrogacy); Other (Other).",
        ),
        (
            3,
            "cas_ReferringOrganisation",
            "No agency called “Nobody Ltd” is registered, by name, short name or alias. Map it "
            "to an agency, or ask an administrator to add the alias.",
        ),
        (3, "cas_IncomingReferralDate", "The referral date 2099-01-01 is in the future."),
        (
            4,
            "vic_TraffickingStatus",
            "“Victim” is not an allowed value. Allowed values: Possible victim of trafficking "
            "(PossibleVictimOfTrafficking); Actual victim of trafficking "
            "(ActualVictimOfTrafficking); Not a victim of trafficking (NotAVictimOfTrafficking).",
        ),
    ]
    assert caught.value.message == (
        "The file was not imported: 8 problems were found. Nothing was changed."
    )
    assert Person.objects.count() == 0
    assert Case.objects.count() == 0
    assert not AuditEntry.objects.filter(verb__in=["cases.import", "case.import"]).exists()


def test_a_row_repeated_in_the_same_file_is_refused(personas) -> None:
    with pytest.raises(TabularError) as caught:
        import_legacy_file(
            actor=personas["vesna"], data=csv_bytes([GOOD_ROWS[0], GOOD_ROWS[0]]), filename="a.csv"
        )
    assert [(e.row, e.message) for e in caught.value.errors] == [
        (3, "This record repeats row 2 of the same file.")
    ]


def test_xlsx_files_import_too(personas) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(GOOD_ROWS[1])
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_legacy_file(
        actor=personas["vesna"], data=buffer.getvalue(), filename="legacy.xlsx"
    )
    assert result.created == 1


@pytest.mark.parametrize("username", ["ana", "milan", "jelena", "dragan", "ivan", "cedomir"])
def test_only_case_managers_may_import(personas, username: str) -> None:
    with pytest.raises(PermissionDeniedError):
        import_legacy_file(
            actor=personas[username], data=csv_bytes(GOOD_ROWS), filename="legacy.csv"
        )
    assert Person.objects.count() == 0


def test_a_committed_import_holds_one_batch_of_records_at_a_time(personas, monkeypatch) -> None:
    """The job's commit reads the file twice (checked and keyed, then written a batch at a time):
    a large register's records are never all in memory at once."""
    from opennrm.cases import imports
    from opennrm.imports import services as import_services

    monkeypatch.setattr(imports, "BATCH", 25)
    alive: weakref.WeakSet[imports.LegacyRecord] = weakref.WeakSet()
    most = passes = 0
    iter_records = imports.iter_records

    def counted(*args, **kwargs):
        nonlocal most, passes
        passes += 1
        for legacy in iter_records(*args, **kwargs):
            alive.add(legacy)
            most = max(most, len(alive))
            yield legacy

    monkeypatch.setattr(imports, "iter_records", counted)
    rows = [
        [f"B-{n}", "Milica", f"Jovanović{n}", "1999-01-02", "Ž", "Srbija"]
        + [""] * 5
        + ["ASTRA", "2021-05-06"]
        for n in range(120)
    ]
    result = import_services.import_file(
        actor=personas["vesna"], spec_key="cases", filename="big.csv", data=csv_bytes(rows)
    )
    assert (result.rows, result.created) == (120, 120)
    assert Person.objects.count() == 120
    assert passes == 2
    assert most <= 25 + 1  # a batch and the record being read, not the file's 120
