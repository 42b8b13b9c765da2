"""Issue 13, finding 10, against a live server: Jelena (prosecutor) tries 31 case codes; only the
5 linked to her office's proceedings answer, on the page and in the API."""

from __future__ import annotations

from collections.abc import Callable

from opennrm.accounts.models import User
from opennrm.cases.models import Case
from tests.cases.helpers import accepted_case, link_to_proceeding
from tests.security.conftest import Session


def test_of_31_codes_only_the_5_linked_to_her_proceedings_answer(
    sign_in: Callable[[str], Session], personas: dict[str, User]
) -> None:
    ana, vesna, jelena = personas["ana"], personas["vesna"], personas["jelena"]
    cases: list[Case] = [accepted_case(ana, vesna, family_name=f"Ilić{n}") for n in range(31)]
    for case in cases[:5]:
        link_to_proceeding(jelena, case)
    session = sign_in("jelena")

    api = {c.code: session.get("/api/v1/cases/status/", params={"code": c.code}) for c in cases}
    page = {c.code: session.get("/cases/status/", params={"code": c.code}).text for c in cases}

    answered = {code for code, response in api.items() if response.status_code == 200}
    assert answered == {c.code for c in cases[:5]}
    assert all(api[c.code].status_code == 404 for c in cases[5:])
    shown = {code for code, text in page.items() if "Referred" in text and code in text}
    assert shown == {c.code for c in cases[:5]}
    # Codes are not neighbours: the random part differs from one case to the next.
    suffixes = {c.person.code.rsplit("-", 1)[1] for c in cases}
    assert len(suffixes) == 31
