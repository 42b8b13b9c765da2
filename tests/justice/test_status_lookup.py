"""Justice looks up the identification status only of victims linked to its own proceedings,
and new case codes cannot be guessed from their neighbours (issue 13, finding 10)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from opennrm.accounts.models import Agency, RoleAssignment, User
from opennrm.accounts.roles import AgencyType, Role
from opennrm.audit.models import AuditEntry
from opennrm.cases.models import Case
from tests.cases.helpers import identified_case, link_to_proceeding

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str], Client]
STATUS = "/api/v1/cases/status/"


@pytest.fixture
def cases(personas: dict[str, User]) -> list[Case]:
    return [
        identified_case(personas["ana"], personas["vesna"], family_name=f"Jovanović{n}")
        for n in range(6)
    ]


def test_justice_gets_the_status_of_linked_cases_only(
    client_for: ClientFor, personas: dict[str, User], cases: list[Case]
) -> None:
    jelena = personas["jelena"]
    for case in cases[:2]:
        link_to_proceeding(jelena, case)

    answers = {
        case.code: client_for("jelena").get(STATUS, {"code": case.code}).status_code
        for case in cases
    }

    assert answers == {case.code: 200 if case in cases[:2] else 404 for case in cases}
    unknown = client_for("jelena").get(STATUS, {"code": "RS-2026-99999-ZZZZZ/1"})
    refused = client_for("jelena").get(STATUS, {"code": cases[3].code})
    assert refused.json() == unknown.json()  # no oracle: the same answer as a code that is none
    assert AuditEntry.objects.filter(verb="case.view_status_refused", actor=jelena).count() == 6


def test_a_link_in_another_office_does_not_open_the_case_to_jelena(
    client_for: ClientFor, personas: dict[str, User], cases: list[Case]
) -> None:
    nis = Agency.objects.create(
        name="Higher Public Prosecutor's Office in Niš", type=AgencyType.PROSECUTION
    )
    milos = User.objects.create_user(username="milos", agency=nis)
    RoleAssignment.objects.create(user=milos, role=Role.JUSTICE)
    link_to_proceeding(milos, cases[0], prosecutor_office=nis)

    assert client_for("jelena").get(STATUS, {"code": cases[0].code}).status_code == 404
    page = client_for("jelena").get("/cases/status/", {"code": cases[0].code}).content.decode()
    assert "This record does not exist or you may not see it." in page
    assert "Identified as a victim" not in page


def test_new_codes_carry_a_random_part() -> None:
    from opennrm.cases.services import person_code

    codes = {person_code(2026, 42) for _ in range(50)}

    assert len(codes) == 50  # the same sequence number, fifty different codes
    assert all(re.fullmatch(r"RS-2026-00042-[2-9A-HJKMNP-TV-Z]{5}", code) for code in codes)


def test_cases_opened_one_after_another_do_not_have_neighbouring_codes(
    cases: list[Case],
) -> None:
    suffixes = [case.code.split("/")[0].rsplit("-", 1)[1] for case in cases]
    assert all(re.fullmatch(r"[2-9A-HJKMNP-TV-Z]{5}", s) for s in suffixes)
    assert len(set(suffixes)) == len(suffixes)
    assert all(len(case.code) <= 24 and len(case.person.code) <= 20 for case in cases)
