"""What the case import understands: Serbian and English values, countries in three languages,
agency aliases, dates as offices write them — and that it adds nothing the file did not state."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.utils import translation

from opennrm.accounts.services import agency_alias_add
from opennrm.cases.dashboard import deadline_list
from opennrm.cases.imports import AgencyVocabulary, import_legacy_file
from opennrm.cases.models import Case, IdentificationDecision
from opennrm.cases.vocab import (
    CASE_STATUS,
    CONTROL,
    DECISION_ORG,
    EXPLOITATION,
    GENDER,
    TRAFFICKING_STATUS,
)
from opennrm.core.countries import COUNTRIES
from opennrm.core.tabular import TabularError


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Serbia", "RS"),
        ("Srbija", "RS"),
        ("SRB", "RS"),
        ("Србија", "RS"),
        ("rs", "RS"),
        ("Ukrajina", "UA"),
        ("UA", "UA"),
        ("Украјина", "UA"),
        ("UKR", "UA"),
        ("Nemačka", "DE"),
        ("Bosna i Hercegovina", "BA"),
        ("Russian Federation", "RU"),
        ("Korea, Republic of", "KR"),
        ("Bolivia (Plurinational State of)", "BO"),
    ],
)
def test_countries_are_read_by_name_in_three_languages_and_by_alpha_2_or_3(raw, code) -> None:
    assert COUNTRIES.match(raw) == code


def test_country_choices_are_named_in_the_active_language() -> None:
    with translation.override("sr"):
        assert dict(COUNTRIES.choices())["RS"] == "Србија"
    with translation.override("sr-latn"):
        assert dict(COUNTRIES.choices())["UA"] == "Ukrajina"
    with translation.override("en"):
        assert dict(COUNTRIES.choices())["RS"] == "Serbia"


@pytest.mark.parametrize(
    ("vocabulary", "raw", "code"),
    [
        (GENDER, "Ž", "Feminine"),
        (GENDER, "ž", "Feminine"),
        (GENDER, "M", "Masculine"),
        (GENDER, "ženski", "Feminine"),
        (GENDER, "женско", "Feminine"),
        (GENDER, "Muško", "Masculine"),
        (GENDER, "NonSpecifiedUnknown", "NonSpecifiedUnknown"),
        (EXPLOITATION, "Radna eksploatacija", "ForcedLabour"),
        (EXPLOITATION, "Prosjačenje", "ForcedBegging"),
        (EXPLOITATION, "ПРОСЈАЧЕЊЕ", "ForcedBegging"),
        (EXPLOITATION, "Labour exploitation", "ForcedLabour"),
        (EXPLOITATION, "Forced labour", "ForcedLabour"),
        (EXPLOITATION, "Sexual exploitation", "SexualExploitation"),
        (EXPLOITATION, "Seksualna eksploatacija", "SexualExploitation"),
        (EXPLOITATION, "Forced military (by non-state actors)", "ForcedMilitaryByNonStateActors"),
        (TRAFFICKING_STATUS, "Actual victim of trafficking", "ActualVictimOfTrafficking"),
        (TRAFFICKING_STATUS, "Possible victim of trafficking", "PossibleVictimOfTrafficking"),
        (TRAFFICKING_STATUS, "Pretpostavljena žrtva", "PossibleVictimOfTrafficking"),
        (CASE_STATUS, "Closed", "Closed"),
        (CASE_STATUS, "Follow up", "FollowUp"),
        (CASE_STATUS, "Closed Referred", "ClosedReferred"),
        (CASE_STATUS, "Zatvoren", "Closed"),
        (CONTROL, "Debt bondage ", "DebtBondage"),
        (CONTROL, "Threats of law enforcement", "ThreatsLawEnforcement"),
        (CONTROL, "Threatens children/family", "ThreatensChildrenFamily"),
        (DECISION_ORG, "Police", "Police"),
        (DECISION_ORG, "Court or prosecution", "CourtOrProsecution"),
        (DECISION_ORG, "Non-police governmental organization", "NonPoliceGovernmentalOrganization"),
    ],
)
def test_controlled_values_are_read_as_registers_write_them(vocabulary, raw, code) -> None:
    assert vocabulary.match(raw) == code


def test_each_vocabulary_lists_its_choices_in_the_active_language() -> None:
    with translation.override("sr"):
        assert ("Feminine", "Женски") in GENDER.choices()
    with translation.override("en"):
        assert ("ForcedBegging", "Forced begging") in EXPLOITATION.choices()


def test_agencies_are_recognised_by_alias_kind_and_place(agencies, personas) -> None:
    vocabulary = AgencyVocabulary()
    csw = str(agencies["csw_bg"].pk)
    for raw in (
        "CSR",
        "CSR Beograd",
        "ЦСР Београд",
        "Centar za socijalni rad",
        "Centre for Social Work",
        "CSW BG",
    ):
        assert vocabulary.match(raw) == csw, raw
    assert vocabulary.match("MUP Niš") == str(agencies["police_ni"].pk)
    # Two police agencies: "Police" alone names neither, and the error says which are meant.
    assert vocabulary.match("Police") is None
    assert "names a kind of agency, and several are registered" in vocabulary.problem("MUP")
    agency_alias_add(actor=personas["ivan"], text="Policija BG", agency=agencies["police_bg"])
    assert AgencyVocabulary().match("Policija BG") == str(agencies["police_bg"].pk)


SERBIAN_HEADER = [
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "vic_TraffickingStatus",
    "vic_TypeOfExploitation",
    "cas_ReferringOrganisation",
    "cas_IncomingReferralDate",
]


def test_a_register_in_serbian_values_and_office_dates_imports_without_edits(personas) -> None:
    rows = [
        [
            "Јована",
            "Петровић",
            "12.04.1998.",
            "Ž",
            "Srbija",
            "Pretpostavljena žrtva",
            "Prosjačenje",
            "CSR Beograd",
            "09.02.13",
        ],
        [
            "Oksana",
            "Kovalenko",
            "1990",
            "ženski",
            "Ukrajina",
            "Identifikovana žrtva",
            "Radna eksploatacija",
            "Centar za socijalni rad",
            "2013/02/09",
        ],
        [
            "Marko",
            "Nikolić",
            "41314",
            "M",
            "SRB; Србија",
            "",
            "Labour exploitation",
            "Centre for Social Work",
            "42000",
        ],
    ]
    result = import_legacy_file(
        actor=personas["vesna"], data=csv_bytes(SERBIAN_HEADER, rows), filename="registar.csv"
    )
    assert result.created == 3
    cases = [Case.objects.select_related("person").get(code=code) for code in result.codes]
    jovana, oksana, marko = cases
    assert (jovana.person.gender, jovana.person.citizenship) == ("Feminine", ["RS"])
    assert jovana.forms_of_exploitation == ["ForcedBegging"]
    assert jovana.opened_on == date(2013, 2, 9)
    assert jovana.status == "presumed_victim"
    assert oksana.person.citizenship == ["UA"]
    assert oksana.forms_of_exploitation == ["ForcedLabour"]
    assert (oksana.status, oksana.opened_on) == ("identified", date(2013, 2, 9))
    assert marko.person.date_of_birth == "2013-02-09"  # an Excel serial number
    assert marko.opened_on == date(2014, 12, 27)  # Excel's 42000
    assert marko.person.citizenship == ["RS"]


def test_without_status_columns_the_file_is_imported_and_nothing_is_invented(personas) -> None:
    header = [
        "prs_FirstName",
        "prs_SecondName",
        "prs_Gender",
        "cas_ReferringOrganisation",
        "cas_IncomingReferralDate",
    ]
    rows = [["Ana", "Marić", "Ž", "ASTRA", "03.05.2015"]]
    result = import_legacy_file(
        actor=personas["vesna"], data=csv_bytes(header, rows), filename="old.csv"
    )
    case = Case.objects.get(code=result.codes[0])
    assert case.status == "referred"  # what the file states: referred, nothing decided
    assert case.presumed_victim_date is None
    assert (case.reflection_period_start, case.reflection_period_end) == (None, None)
    assert case.imported_at is not None
    assert list(case.status_changes.values_list("action", flat=True)) == ["open"]
    assert not IdentificationDecision.objects.filter(case=case).exists()


def test_a_closed_case_needs_no_closure_reason_and_gets_none(personas) -> None:
    header = [
        "prs_FirstName",
        "prs_SecondName",
        "cas_Status",
        "cas_ReferringOrganisation",
        "cas_IncomingReferralDate",
    ]
    result = import_legacy_file(
        actor=personas["vesna"],
        data=csv_bytes(header, [["Ana", "Marić", "Closed", "ASTRA", "2015-05-03"]]),
        filename="old.csv",
    )
    case = Case.objects.get(code=result.codes[0])
    assert (case.status, case.closure_reason, case.closure_details) == ("closed", "", "")


def test_imported_open_cases_have_no_deadline_in_the_past(personas) -> None:
    header = [
        "prs_FirstName",
        "prs_SecondName",
        "vic_TraffickingStatus",
        "cas_ReferringOrganisation",
        "cas_IncomingReferralDate",
    ]
    rows = [
        [f"Ime{i}", "Prezime", "Possible victim of trafficking", "ASTRA", "2015-05-03"]
        for i in range(3)
    ]
    import_legacy_file(actor=personas["vesna"], data=csv_bytes(header, rows), filename="old.csv")
    now = datetime.now().astimezone()
    rows_seen = deadline_list(actor=personas["vesna"], now=now)
    assert [row for row in rows_seen if row.overdue] == []
    # The decision is owed from the import on: 30 days later it is due, not hidden for ever.
    later = deadline_list(actor=personas["vesna"], now=now + timedelta(days=31))
    assert sum(1 for row in later if row.overdue) == 3


def test_the_decision_making_body_is_kept_even_under_the_template_s_misspelling(personas) -> None:
    header = [
        "prs_FirstName",
        "prs_SecondName",
        "vic_TraffickingStatus",
        "vic_TraffickinStatusDecisionMakingOrg",
        "cas_ReferringOrganisation",
        "cas_IncomingReferralDate",
    ]
    rows = [["Ana", "Marić", "Actual victim of trafficking", "Police", "ASTRA", "2015-05-03"]]
    result = import_legacy_file(
        actor=personas["vesna"], data=csv_bytes(header, rows), filename="old.csv"
    )
    decision = IdentificationDecision.objects.get(case__code=result.codes[0])
    assert (decision.outcome, decision.decision_org) == ("identified", "Police")


def test_errors_are_in_the_user_s_language_with_the_allowed_values(personas) -> None:
    header = [
        "prs_FirstName",
        "prs_SecondName",
        "prs_Gender",
        "cas_ReferringOrganisation",
        "cas_IncomingReferralDate",
    ]
    with translation.override("sr"), pytest.raises(TabularError) as refused:
        import_legacy_file(
            actor=personas["vesna"],
            data=csv_bytes(header, [["Ana", "Marić", "X", "ASTRA", "31.02.2015"]]),
            filename="old.csv",
        )
    messages = [(e.row, e.column, e.message) for e in refused.value.errors]
    assert messages[0] == (
        2,
        "prs_Gender",
        "„X” није дозвољена вредност. Дозвољене вредности: Женски (Feminine); Мушки "
        "(Masculine); Трансродна жена (TransgenderFeminine); Трансродни мушкарац "
        "(TransgenderMasculine); Родно неусаглашен (NonConforming); Није наведено или "
        "непознато (NonSpecifiedUnknown).",
    )
    assert messages[1][:2] == (2, "cas_IncomingReferralDate")
    assert messages[1][2].startswith("„31.02.2015” није датум. Прихваћени облици: 2013-02-09")


def test_the_referral_form_accepts_countries_by_name_in_any_of_the_three_languages() -> None:
    from opennrm.cases.forms import ReferralForm

    form = ReferralForm(
        data={"gender": "Feminine", "citizenship": "Srbija, Украјина; Ukraine, SRB"}
    )
    assert form.is_valid(), form.errors
    assert form.service_kwargs()["citizenship"] == ["RS", "UA"]
    refused = ReferralForm(data={"gender": "Feminine", "citizenship": "Atlantida"})
    assert not refused.is_valid()
    assert refused.errors["citizenship"] == [
        "“Atlantida” is not a country this form knows; write its name or code, e.g. RS."
    ]
