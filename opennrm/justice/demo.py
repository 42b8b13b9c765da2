"""Demo proceedings for the demo cases (issue 8, item 8), through the services: convictions, a
requalified charge, an acquittal, compensation awarded but unpaid, a dismissal, and one
application of the non-punishment principle. Runs after the cases demo."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from opennrm.demo.context import DemoContext
from opennrm.justice import services, vocab
from opennrm.justice.models import Proceeding

MARKER = "KTO-DEMO"


def _victim_codes(count: int) -> list[str]:
    from opennrm.cases.models import Case
    from opennrm.cases.vocab import CaseStatus

    wanted = [CaseStatus.IDENTIFIED, CaseStatus.IN_PROTECTION, CaseStatus.CLOSED]
    return list(
        Case.objects.filter(status__in=wanted)
        .order_by("opened_on", "id")
        .values_list("code", flat=True)[:count]
    )


def _path(actor: Any, proceeding: Proceeding, moves: list[tuple[str, date]]) -> None:
    for stage, on in moves:
        proceeding.refresh_from_db()
        services.proceeding_move(
            actor=actor,
            proceeding=proceeding,
            expected_version=proceeding.version,
            stage=stage,
            on=on,
        )


def _victim(actor: Any, proceeding: Proceeding, code: str | None, **values: Any) -> None:
    if code is None:
        return
    link = services.victim_link(actor=actor, proceeding=proceeding, case_code=code)
    if values:
        services.victim_update(actor=actor, link=link, expected_version=link.version, **values)


def seed(ctx: DemoContext) -> None:
    if Proceeding.objects.filter(file_number__startswith=MARKER).exists():
        return
    jelena = ctx.users["jelena"]
    office, court, police = (
        ctx.agencies["prosecution"],
        ctx.agencies["court"],
        ctx.agencies["police_bg"],
    )
    codes: list[str | None] = [*_victim_codes(5)]
    codes += [None] * (5 - len(codes))
    S = vocab.Stage

    def open_(number: str, started: date, forms: list[str]) -> Proceeding:
        return services.proceeding_create(
            actor=jelena,
            prosecutor_office=office,
            court=court,
            police_agency=police,
            started_on=started,
            file_number=f"{MARKER} {number}",
            forms_of_exploitation=forms,
        )

    # 1. Labour exploitation on a building site: two convictions, one charge requalified,
    #    compensation awarded but not paid.
    p1 = open_("101/19", date(2019, 3, 11), ["ForcedLabour"])
    d1 = services.defendant_add(
        actor=jelena,
        proceeding=p1,
        sex="male",
        offences=["CC-388"],
        year_of_birth=1975,
        citizenship=["RS"],
    )
    d2 = services.defendant_add(
        actor=jelena,
        proceeding=p1,
        sex="female",
        offences=["CC-388"],
        year_of_birth=1983,
        citizenship=["RS"],
    )
    _path(jelena, p1, [(S.INDICTMENT, date(2019, 9, 2)), (S.FIRST_INSTANCE, date(2020, 1, 15))])
    services.charge_requalify(
        actor=jelena, charge=d2.charges.get(), offence_code="CC-184", on=date(2020, 6, 3)
    )
    _victim(
        jelena,
        p1,
        codes[0],
        protective_measures=["video_link"],
        legal_aid=True,
        compensation_claimed_eur=Decimal(6000),
        compensation_awarded_eur=Decimal(3500),
        compensation_source=vocab.CompensationSource.PERPETRATOR,
    )
    for defendant, months in ((d1, 60), (d2, 18)):
        defendant.refresh_from_db()
        services.defendant_record_outcome(
            actor=jelena,
            defendant=defendant,
            expected_version=defendant.version,
            outcome=vocab.Outcome.CONVICTED,
            on=date(2020, 10, 12),
            prison_months=months,
            suspended=months < 24,
        )
    _path(jelena, p1, [(S.FINAL, date(2020, 11, 20))])

    # 2. Sexual exploitation: acquittal confirmed on appeal.
    p2 = open_("57/20", date(2020, 2, 3), ["SexualExploitation"])
    d3 = services.defendant_add(
        actor=jelena,
        proceeding=p2,
        sex="male",
        offences=["CC-388"],
        year_of_birth=1988,
        citizenship=["RS"],
    )
    _path(jelena, p2, [(S.INDICTMENT, date(2020, 7, 1)), (S.FIRST_INSTANCE, date(2020, 10, 5))])
    _victim(jelena, p2, codes[1], protective_measures=["without_defendant", "closed_hearing"])
    services.defendant_record_outcome(
        actor=jelena,
        defendant=d3,
        expected_version=d3.version,
        outcome=vocab.Outcome.ACQUITTED,
        on=date(2021, 2, 8),
    )
    _path(jelena, p2, [(S.APPEAL, date(2021, 3, 1)), (S.FINAL, date(2021, 9, 6))])

    # 3. A child victim: trial under way, next hearing soon (shown to the caseworker).
    p3 = open_("88/21", date(2021, 4, 6), ["SexualExploitation"])
    services.defendant_add(
        actor=jelena,
        proceeding=p3,
        sex="male",
        offences=["CC-388", "CC-185"],
        year_of_birth=1990,
        citizenship=["RS"],
    )
    _path(jelena, p3, [(S.INDICTMENT, date(2021, 11, 15)), (S.FIRST_INSTANCE, date(2022, 3, 1))])
    _victim(
        jelena,
        p3,
        codes[2],
        protective_measures=["single_interview", "support_person", "video_link"],
        legal_aid=True,
    )
    soon = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(
        days=6
    )
    services.hearing_schedule(
        actor=jelena,
        proceeding=p3,
        at=soon,
        place="Виши суд у Београду, судница 4",
        kind=vocab.HearingKind.TESTIMONY,
    )

    # 4. Discontinued for lack of evidence.
    p4 = open_("12/21", date(2021, 1, 20), ["ForcedLabour"])
    services.defendant_add(
        actor=jelena, proceeding=p4, sex="male", offences=["CC-388"], citizenship=["RS"]
    )
    services.proceeding_close(
        actor=jelena,
        proceeding=p4,
        expected_version=p4.version,
        status=vocab.ProceedingStatus.DISCONTINUED,
        on=date(2021, 8, 30),
        reason="Недовољно доказа",
    )

    # 5. Forced criminality: the victim's own theft charge dropped under the non-punishment principle.
    p5 = open_("30/21", date(2021, 5, 4), ["ForcedCriminality"])
    d5 = services.defendant_add(
        actor=jelena,
        proceeding=p5,
        sex="female",
        offences=["CC-388"],
        year_of_birth=1979,
        citizenship=["RS"],
    )
    _path(jelena, p5, [(S.INDICTMENT, date(2021, 10, 1)), (S.FIRST_INSTANCE, date(2022, 2, 2))])
    _victim(
        jelena,
        p5,
        codes[3],
        prosecuted_for_offence=True,
        compelled_offence="Крађа (чл. 203 КЗ)",
        non_punishment_applied=True,
    )
    services.defendant_record_outcome(
        actor=jelena,
        defendant=d5,
        expected_version=d5.version,
        outcome=vocab.Outcome.CONVICTED,
        on=date(2022, 9, 14),
        prison_months=48,
    )
    ctx.say(f"    proceedings: 5 (victims linked: {sum(1 for c in codes if c)})")
