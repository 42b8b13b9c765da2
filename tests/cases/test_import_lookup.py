"""Legacy import: the already-imported check finds a record by whichever blind index it has."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import IntegrityError

from opennrm.audit.models import AuditEntry
from opennrm.cases.imports import import_legacy_file
from opennrm.cases.models import Case, Person, Referral

HEADER = [
    "cas_CaseId",
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "vic_TraffickingStatus",
    "cas_Status",
    "cas_ReferringOrganisation",
    "cas_IncomingReferralDate",
]


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def row(case_id: str, first: str, last: str, birth: str, agency: str = "ASTRA") -> list[str]:
    return [
        case_id,
        first,
        last,
        birth,
        "Feminine",
        "PossibleVictimOfTrafficking",
        "Active",
        agency,
        "2021-05-04",
    ]


def test_a_record_is_found_by_date_by_year_or_by_name_alone(personas) -> None:
    vesna = personas["vesna"]
    first = import_legacy_file(
        actor=vesna,
        data=csv_bytes(
            [
                row("1", "Јована", "Петровић", "1998-04-12"),
                row("2", "Oksana", "Kovalenko", "1990"),
                row("3", "Ana", "Marić", ""),
            ]
        ),
        filename="first.csv",
    )
    assert first.created == 3

    # Another agency's file names the same people with less or more of their birth: the one
    # with the full date is found by its year, the one with a year by her name and year, the
    # one without any birth by her name; written in another script or order, the same.
    again = import_legacy_file(
        actor=vesna,
        data=csv_bytes(
            [
                row("x1", "Jovana", "Petrovic", "1998"),
                row("x2", "KOVALENKO", "Oksana", "1990"),
                row("x3", "Ана", "Марић", ""),
                row("x4", "Jovana", "Petrović", "1998-04-13"),
                row("x5", "Ana", "Marić", "", agency="Labour Inspectorate"),
                row("x6", "Ana", "Marić", "1985"),
            ]
        ),
        filename="second.csv",
    )

    assert (again.rows, again.created, again.skipped) == (6, 3, 3)
    assert Person.objects.count() == 6
    assert Case.objects.count() == 6
    created = {
        (p.given_names, p.family_name, p.date_of_birth, p.year_of_birth)
        for p in Person.objects.filter(cases__code__in=again.codes)
    }
    assert created == {
        ("Jovana", "Petrović", "1998-04-13", 1998),  # another date of birth: another person
        ("Ana", "Marić", "", None),  # referred by another agency
        ("Ana", "Marić", "", 1985),  # a year of birth the first record did not have
    }


def test_a_row_the_database_refuses_while_writing_leaves_nothing_behind(
    personas, monkeypatch
) -> None:
    # A person code taken outside the sequence: the import draws the same code and the
    # database refuses it in the middle of writing (on PostgreSQL on the COPY thread). Codes
    # carry a random part; here it is left out so that the import's second code collides.
    from opennrm.cases import services

    monkeypatch.setattr(services, "person_code", lambda year, number: f"RS-{year}-{number:05d}")
    Person.objects.create(code="RS-2021-00002", given_names="X", family_name="Y")
    rows = [row(str(n), "Ana", f"Marić{n}", "1990") for n in range(5)]

    with pytest.raises(IntegrityError):
        import_legacy_file(actor=personas["vesna"], data=csv_bytes(rows), filename="f.csv")

    assert Person.objects.count() == 1
    assert Case.objects.count() == 0
    assert Referral.objects.count() == 0
    assert not AuditEntry.objects.filter(verb__in=["cases.import", "case.import"]).exists()
