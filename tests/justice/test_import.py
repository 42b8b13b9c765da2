from __future__ import annotations

import pytest

from opennrm.core.tabular import TabularError
from opennrm.justice.imports import import_register
from opennrm.justice.models import Defendant, Proceeding

HEADER = "file_number;prosecutor_office;court;started_on;stage;stage_since;defendant_sex;offence;outcome;outcome_on;prison_months;victim_case_code\n"


def test_a_bad_register_changes_nothing_and_names_row_and_column(personas, victim_case) -> None:
    data = (
        HEADER
        + "KT 5/19;VJT BG;VS BG;12.03.2019.;final;01.12.2020;male;CC-388;convicted;01.12.2020;60;RS-2020-00042/1\n"
        + "KT 6/19;VJT BG;;2019-05-01;verdict;;female;CC-999;maybe;;;\n"
    ).encode()
    with pytest.raises(TabularError) as caught:
        import_register(actor=personas["jelena"], source=data, filename="register.csv")
    problems = {(e.row, e.column) for e in caught.value.errors}
    assert problems == {(3, "stage"), (3, "offence"), (3, "outcome")}
    assert Proceeding.objects.count() == 0


def test_a_good_register_imports_once(personas, victim_case) -> None:
    data = (
        HEADER
        + "KT 5/19;VJT BG;VS BG;12.03.2019.;final;01.12.2020;male;CC-388;convicted;01.12.2020;60;RS-2020-00042/1\n"
        + "KT 5/19;VJT BG;VS BG;12.03.2019.;final;01.12.2020;female;CC-184;acquitted;01.12.2020;;\n"
    ).encode()
    result = import_register(actor=personas["jelena"], source=data, filename="register.csv")
    assert (result.created, result.defendants, result.skipped) == (1, 2, 0)
    proceeding = Proceeding.objects.get()
    assert (proceeding.stage, proceeding.status) == ("final", "concluded")
    assert sorted(Defendant.objects.values_list("outcome", flat=True)) == ["acquitted", "convicted"]
    assert list(proceeding.victims.values_list("case__code", flat=True)) == ["RS-2020-00042/1"]
    again = import_register(actor=personas["jelena"], source=data, filename="register.csv")
    assert (again.created, again.skipped) == (0, 1)
    assert Proceeding.objects.count() == 1


def test_only_justice_users_import(personas) -> None:
    from opennrm.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        import_register(actor=personas["vesna"], source=HEADER.encode(), filename="register.csv")
