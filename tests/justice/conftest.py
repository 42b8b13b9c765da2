"""Plain case data for justice tests (the cases app's own behaviour is tested in tests/cases)."""

from __future__ import annotations

from datetime import date

import pytest

from opennrm.accounts.models import Agency, User


@pytest.fixture
def victim_case(personas: dict[str, User], agencies: dict[str, Agency]):  # type: ignore[no-untyped-def]
    from opennrm.cases.models import Case, Person

    person = Person.objects.create(
        code="RS-2020-00042",
        given_names="Милица",
        family_name="Јанковић",
        date_of_birth="1999-05-04",
        gender="Feminine",
        year_of_birth=1999,
        citizenship=["RS"],
    )
    return Case.objects.create(
        code="RS-2020-00042/1",
        person=person,
        lead_agency=agencies["cptv"],
        caseworker=personas["vesna"],
        status="identified",
        opened_on=date(2020, 3, 1),
        presumed_victim_date=date(2020, 3, 2),
    )


@pytest.fixture
def proceeding(personas: dict[str, User], agencies: dict[str, Agency]):  # type: ignore[no-untyped-def]
    from opennrm.justice import services

    return services.proceeding_create(
        actor=personas["jelena"],
        prosecutor_office=agencies["prosecution"],
        court=agencies["court"],
        police_agency=agencies["police_bg"],
        started_on=date(2020, 2, 3),
        file_number="KTO 1/20",
        forms_of_exploitation=["ForcedLabour"],
    )
