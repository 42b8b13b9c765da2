from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from opennrm.audit.models import AuditEntry
from opennrm.core.errors import (
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    StaleRecordError,
    ValidationFailed,
)
from opennrm.justice import services, vocab


def test_a_proceeding_gets_a_pseudonymous_code_and_its_first_stage(proceeding) -> None:
    assert proceeding.code == "JP-2020-0001"
    assert list(proceeding.stage_changes.values_list("stage", "entered_on")) == [
        ("investigation", date(2020, 2, 3))
    ]
    assert (
        AuditEntry.objects.filter(verb="proceeding.create", target_id=str(proceeding.pk)).count()
        == 1
    )


def test_it_refuses_a_stage_that_does_not_follow(proceeding, personas) -> None:
    with pytest.raises(InvalidTransitionError) as caught:
        services.proceeding_move(
            actor=personas["jelena"],
            proceeding=proceeding,
            expected_version=proceeding.version,
            stage="final",
            on=date(2020, 5, 1),
        )
    assert caught.value.message == (
        "A proceeding at “Investigation” cannot move to “Final judgment”. Possible next stages: Indictment."
    )


def test_it_refuses_a_stale_version(proceeding, personas) -> None:
    jelena = personas["jelena"]
    version = proceeding.version
    services.proceeding_move(
        actor=jelena,
        proceeding=proceeding,
        expected_version=version,
        stage="indictment",
        on=date(2020, 6, 1),
    )
    with pytest.raises(StaleRecordError):
        services.proceeding_close(
            actor=jelena,
            proceeding=proceeding,
            expected_version=version,
            status="dismissed",
            on=date(2020, 6, 2),
            reason="no evidence",
        )


def test_reaching_the_final_judgment_concludes_the_proceeding(proceeding, personas) -> None:
    jelena = personas["jelena"]
    for stage, day in (
        ("indictment", date(2020, 6, 1)),
        ("first_instance", date(2020, 9, 1)),
        ("final", date(2021, 1, 10)),
    ):
        services.proceeding_move(
            actor=jelena,
            proceeding=proceeding,
            expected_version=proceeding.version,
            stage=stage,
            on=day,
        )
    assert proceeding.status == vocab.ProceedingStatus.CONCLUDED
    assert proceeding.closed_on == date(2021, 1, 10)


def test_a_requalified_charge_keeps_its_initial_offence(proceeding, personas) -> None:
    defendant = services.defendant_add(
        actor=personas["jelena"], proceeding=proceeding, sex="male", offences=["CC-388"]
    )
    charge = defendant.charges.get()
    services.charge_requalify(
        actor=personas["jelena"], charge=charge, offence_code="CC-184", on=date(2020, 9, 1)
    )
    charge.refresh_from_db()
    assert (charge.initial_offence.code, charge.offence.code, charge.requalified) == (
        "CC-388",
        "CC-184",
        True,
    )


def test_a_conviction_needs_a_sentence(proceeding, personas) -> None:
    defendant = services.defendant_add(
        actor=personas["jelena"], proceeding=proceeding, sex="female", offences=["CC-388"]
    )
    with pytest.raises(ValidationFailed) as caught:
        services.defendant_record_outcome(
            actor=personas["jelena"],
            defendant=defendant,
            expected_version=defendant.version,
            outcome="convicted",
            on=date(2020, 12, 1),
        )
    assert caught.value.message == "A conviction needs a sentence: prison months or a fine."


def test_a_defendant_name_is_encrypted_and_never_in_the_audit_trail(proceeding, personas) -> None:
    from django.db import connection

    defendant = services.defendant_add(
        actor=personas["jelena"],
        proceeding=proceeding,
        sex="male",
        offences=["CC-388"],
        full_name="Петар Петровић",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name FROM justice_defendant WHERE id = %s", [defendant.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("enc1:")
    assert "Петар" not in stored
    entry = AuditEntry.objects.get(verb="defendant.create", target_id=str(defendant.pk))
    assert entry.changes["full_name"] is None


def test_linking_a_victim_by_an_unknown_code_says_so(proceeding, personas) -> None:
    with pytest.raises(NotFoundError) as caught:
        services.victim_link(
            actor=personas["jelena"], proceeding=proceeding, case_code="RS-2099-99999/1"
        )
    assert (
        caught.value.message
        == "No case has the code “RS-2099-99999/1”. Check it with the identification centre."
    )


def test_compensation_paid_cannot_exceed_awarded(proceeding, personas, victim_case) -> None:
    link = services.victim_link(
        actor=personas["jelena"], proceeding=proceeding, case_code=victim_case.code
    )
    with pytest.raises(ValidationFailed) as caught:
        services.victim_update(
            actor=personas["jelena"],
            link=link,
            expected_version=link.version,
            compensation_awarded_eur=Decimal(1000),
            compensation_paid_eur=Decimal(1500),
            compensation_source="perpetrator",
        )
    assert caught.value.fields == {"compensation_paid_eur": "More cannot be paid than was awarded."}


def test_non_punishment_needs_a_prosecuted_victim(proceeding, personas, victim_case) -> None:
    link = services.victim_link(
        actor=personas["jelena"], proceeding=proceeding, case_code=victim_case.code
    )
    with pytest.raises(ValidationFailed):
        services.victim_update(
            actor=personas["jelena"],
            link=link,
            expected_version=link.version,
            non_punishment_applied=True,
        )
    services.victim_update(
        actor=personas["jelena"],
        link=link,
        expected_version=link.version,
        prosecuted_for_offence=True,
        compelled_offence="theft",
        non_punishment_applied=True,
    )
    link.refresh_from_db()
    assert link.non_punishment_applied is True


def test_only_the_proceedings_agencies_may_change_it(proceeding, personas, agencies) -> None:
    from opennrm.accounts.services import user_create

    other = user_create(
        actor=None,
        username="tuzilac2",
        agency=agencies["police_ni"],
        roles=["justice"],
        password="a-long-safe-passphrase-42",
    )
    with pytest.raises(PermissionDeniedError):
        services.defendant_add(actor=other, proceeding=proceeding, sex="male", offences=["CC-388"])
    with pytest.raises(PermissionDeniedError):
        services.defendant_add(
            actor=personas["vesna"], proceeding=proceeding, sex="male", offences=["CC-388"]
        )


def test_a_closed_proceeding_cannot_change(proceeding, personas) -> None:
    jelena = personas["jelena"]
    services.proceeding_close(
        actor=jelena,
        proceeding=proceeding,
        expected_version=proceeding.version,
        status="discontinued",
        on=date(2020, 7, 1),
        reason="insufficient evidence",
    )
    with pytest.raises(InvalidTransitionError):
        services.hearing_schedule(
            actor=jelena,
            proceeding=proceeding,
            at=timezone.now() + timedelta(days=3),
            place="Court",
        )
