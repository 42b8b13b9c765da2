"""The HTCDS project's own Excel templates, filled in with their own values, import as they are.

The files are built here with the layout of UNMigration/HTCDS ``Toolkit/Excel/HTCDS Excel
Spreadsheet single select with validation v1.0.xlsx`` and ``… v2.0.xlsx`` (read from the
repository; not copied into this one): a first column with no header holding pre-filled row
numbers 1…1000, HTCDS field names in row 1 (v2.0 with its misspelled
``vic_TraffickinStatusDecisionMakingOrg``), the labels in row 2, and the values of the template's
own validation sheet, typed as an NGO would pick them from its drop-down lists; dates as true
Excel date cells. Nothing is mapped beyond confirming the pipeline's suggestions.
"""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from opennrm.cases.models import Case, IdentificationDecision
from opennrm.imports import pipeline
from opennrm.imports import services as pipeline_services

V1_HEADER = [
    None,
    "cas_CaseOwner",
    "prs_Salutation",
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "prs_Title",
    "prs_Email",
    "prs_HomePhone",
    "prs_MobilePhone",
    "prs_MailingCity",
    "prs_MailingCountry",
    "prs_MailingState",
    "prs_MailingStreet",
    "prs_MailingPostalCode",
    "vic_MethodOfRecruitment",
    "vic_LocationOfRecruitment",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "vic_TypeOfSexExploitation",
    "vic_LocationOfExploitation",
    "vic_Vulnerabilities",
    "vic_DetailsOfVulnerabilities",
    "cas_Status",
    "cas_ReferringOrganisation",
    "cas_IncomingReferralDate",
    "cas_ReferringPrimaryCaseWorker",
    "cas_ReasonForIncomingReferral",
    "cas_IncomingReferralDetails",
    "cas_ReferredOrganisation",
    "cas_ReferredPrimaryCaseWorker",
    None,
    "cas_OutgoingReferralDate",
    "cas_OutgoingReferralDetails",
    "cas_ReasonForCaseClosure",
]
V1_LABELS = [
    None,
    "Case Owner",
    "Salutation",
    "First Name",
    "Second Name",
    "Birthdate",
    "Gender",
    "Nationality",
    "Title",
    "Email",
    "Home Phone",
    "Mobile Phone",
    "Mailing Street",
    "Mailing City",
    "Mailing State/Province",
    "Mailing Zip/Postal Code",
    "Mailing Country",
    "Method of Recruitment",
    "Location of Recruitment",
    "Methods of Control",
    "Type of Exploitation",
    "Forced Labour Industry",
    "Type of Sex Exploitation",
    "Location of Exploitation",
    "Vulnerabilities",
    "Details Of Vulnerabilities",
    "Status",
    "Referring Organisation",
    "Incoming Referral Date",
    "Referring Primary Case Worker",
    "Reason for Incoming Referral",
    "Incoming Referral Details",
    "Referred Organisation",
    "Referred Primary Case Worker",
    "Reason for Outgoing Referral",
    "Outgoing Referral Date",
    "Outgoing Referral Details",
    "Reason for Case Closure",
]
V2_HEADER = [
    None,
    "cas_CaseOwner",
    "prs_Salutation",
    "prs_FirstName",
    "prs_SecondName",
    "con_Consent",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "prs_Title",
    "prs_Email",
    "prs_HomePhone",
    "prs_MobilePhone",
    "prs_MailingCity",
    "prs_MailingCountry",
    "prs_MailingState",
    "prs_MailingStreet",
    "prs_MailingPostalCode",
    "vic_TraffickingStatus",
    "vic_TraffickinStatusDecisionMakingOrg",
    "vic_MethodOfRecruitment",
    "vic_LocationOfRecruitment",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "vic_TypeOfSexExploitation",
    "vic_LocationOfExploitation",
    "cas_Status",
    "cas_ReferringOrganisation",
    "cas_IncomingReferralDate",
    "cas_ReferringPrimaryCaseWorker",
    "cas_ReasonForIncomingReferral",
    "cas_IncomingReferralDetails",
    "cas_ReferredOrganisation",
    "cas_ReferredPrimaryCaseWorker",
    None,
    "cas_OutgoingReferralDate",
    "cas_OutgoingReferralDetails",
    "cas_ReasonForCaseClosure",
]
V2_LABELS = [
    None,
    "Case Owner",
    "Salutation",
    "First Name",
    "Second Name",
    "Consent",
    "Birthdate",
    "Gender",
    "Citizenship",
    "Title",
    "Email",
    "Home Phone",
    "Mobile Phone",
    "Mailing Street",
    "Mailing City",
    "Mailing State/Province",
    "Mailing Zip/Postal Code",
    "Mailing Country",
    "Trafficking Status",
    "Trafficking Status Decision Making Organization",
    "Method of Recruitment",
    "Location of Recruitment",
    "Methods of Control",
    "Type of Exploitation",
    "Forced Labour Industry",
    "Type of Sex Exploitation",
    "Location of Exploitation",
    "Status",
    "Referring Organisation",
    "Incoming Referral Date",
    "Referring Primary Case Worker",
    "Reason for Incoming Referral",
    "Incoming Referral Details",
    "Referred Organisation",
    "Referred Primary Case Worker",
    "Reason for Outgoing Referral",
    "Outgoing Referral Date",
    "Outgoing Referral Details",
    "Reason for Case Closure",
]

# Filled in with the templates' own validation values (the "validation" sheet).
RECORDS = [
    {
        "prs_FirstName": "Ana",
        "prs_SecondName": "Petrović",
        "prs_Birthdate": datetime(1994, 5, 17),
        "prs_Gender": "Feminine",
        "prs_Citizenship": "Serbia",
        "vic_TraffickingStatus": "Actual victim of trafficking",
        "vic_TraffickinStatusDecisionMakingOrg": "Police",
        "vic_MethodOfRecruitment": "Through friends or social events",
        "vic_MethodsOfControl": "Debt bondage ",
        "vic_TypeOfExploitation": "Forced labour",
        "vic_LocationOfExploitation": "Serbia",
        "cas_Status": "Closed",
        "cas_ReferringOrganisation": "Police",
        "cas_IncomingReferralDate": datetime(2016, 3, 1),
    },
    {
        "prs_FirstName": "Olena",
        "prs_SecondName": "Kovalenko",
        "prs_Birthdate": datetime(2001, 1, 9),
        "prs_Gender": "Feminine",
        "prs_Citizenship": "Ukraine",
        "vic_TraffickingStatus": "Possible victim of trafficking",
        "vic_TraffickinStatusDecisionMakingOrg": "Non-police governmental organization",
        "vic_MethodOfRecruitment": "Through an online advertisement",
        "vic_MethodsOfControl": "Threats of law enforcement",
        "vic_TypeOfExploitation": "Sexual exploitation",
        "vic_LocationOfExploitation": "Russian Federation",
        "cas_Status": "Active",
        "cas_ReferringOrganisation": "NGO",
        "cas_IncomingReferralDate": datetime(2015, 11, 20),
    },
    {
        "prs_FirstName": "Marko",
        "prs_SecondName": "Jovanović",
        "prs_Birthdate": datetime(1988, 7, 30),
        "prs_Gender": "Masculine",
        "prs_Citizenship": "Bosnia and Herzegovina",
        "vic_TraffickingStatus": "Not a victim of trafficking",
        "vic_TraffickinStatusDecisionMakingOrg": "Court or prosecution",
        "vic_MethodsOfControl": "Withholds documents",
        "vic_TypeOfExploitation": "Forced begging",
        "vic_LocationOfExploitation": "Korea, Republic of",
        "cas_Status": "Closed Referred",
        "cas_ReferringOrganisation": "Police",
        "cas_IncomingReferralDate": datetime(2014, 2, 9),
        "cas_ReasonForCaseClosure": "Returned to the country of origin",
    },
]
V1_DROPPED = ("vic_TraffickingStatus", "vic_TraffickinStatusDecisionMakingOrg")


def template_file(header: list[str | None], labels: list[str | None], records) -> bytes:
    """The template as published (numbered empty rows to 1000) with ``records`` filled in."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Case Sheet"
    sheet.append(header)
    sheet.append(labels)
    for number in range(1, 1001):
        row: list[object] = [number] + [None] * (len(header) - 1)
        if number <= len(records):
            for position, name in enumerate(header):
                if name in records[number - 1]:
                    row[position] = records[number - 1][name]
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def one_police_one_ngo(agencies) -> None:
    """The template's "Police" and "NGO" name a kind of agency; with one of each kind active,
    each names exactly one agency, as in a small country's first register."""
    for key in ("police_ni", "atina"):
        agencies[key].is_active = False
        agencies[key].save(update_fields=["is_active"])


@pytest.mark.parametrize(
    ("version", "header", "labels"),
    [("1.0", V1_HEADER, V1_LABELS), ("2.0", V2_HEADER, V2_LABELS)],
)
def test_a_filled_in_htcds_template_imports_with_the_suggested_mapping(
    personas, one_police_one_ngo, version, header, labels
) -> None:
    vesna = personas["vesna"]
    records = [
        {k: v for k, v in r.items() if not (version == "1.0" and k in V1_DROPPED)} for r in RECORDS
    ]
    data = template_file(header, labels, records)
    job = pipeline_services.job_create(
        actor=vesna, spec_key="cases", filename=f"HTCDS v{version}.xlsx", data=data
    )
    suggested = dict(zip(job.header, job.mapping, strict=True))
    assert suggested["prs_Citizenship"] == "prs_Citizenship"
    if version == "2.0":
        assert suggested["vic_TraffickinStatusDecisionMakingOrg"] == (
            "vic_TraffickingStatusDecisionMakingOrg"
        )
    spec = pipeline_services.spec_for("cases")
    assert pipeline.mapping_problems(job.mapping, spec.columns()) == []
    assert pipeline_services.job_unknown_values(actor=vesna, job=job) == []
    preview = pipeline_services.job_preview(actor=vesna, job=job)
    assert preview.errors == []
    assert (preview.rows, preview.create) == (3, 3)

    result = pipeline_services.import_file(
        actor=vesna, spec_key="cases", filename=f"HTCDS v{version}.xlsx", data=data
    )
    assert (result.rows, result.created) == (3, 3)
    cases = {c.person.given_names: c for c in Case.objects.select_related("person")}
    ana, olena, marko = cases["Ana"], cases["Olena"], cases["Marko"]
    assert ana.person.citizenship == ["RS"]
    assert (ana.forms_of_exploitation, ana.means_of_control) == (["ForcedLabour"], ["DebtBondage"])
    assert ana.opened_on.isoformat() == "2016-03-01"
    assert ana.person.date_of_birth == "1994-05-17"
    assert olena.person.citizenship == ["UA"]
    assert olena.country_of_exploitation == "RU"
    assert olena.means_of_control == ["ThreatsLawEnforcement"]
    assert marko.country_of_exploitation == "KR"
    assert (ana.status, olena.status, marko.status) == (
        ("closed", "presumed_victim", "closed")
        if version == "2.0"
        else ("closed", "referred", "closed")
    )
    assert ana.closure_reason == ""  # closed, and the file gives no reason: none invented
    assert marko.closure_details == "Returned to the country of origin"
    if version == "2.0":
        assert IdentificationDecision.objects.get(case=ana).decision_org == "Police"
        assert IdentificationDecision.objects.get(case=marko).outcome == "not_identified"
