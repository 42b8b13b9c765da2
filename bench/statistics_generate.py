"""Fill a migrated PostgreSQL database with N synthetic cases for the statistics benchmark, fast.

Statistics read only the clear columns of persons, cases, referrals, identification decisions,
residence permits and service requests, so this generator writes those with
``INSERT … SELECT … FROM generate_series`` inside PostgreSQL (about a minute for a million cases)
and leaves the encrypted columns empty. ``generate_cases`` (the cases engineers' generator, which
encrypts, indexes and audits every case like an import) is the realistic one but takes far longer
on the shared two-core machine; the statistics queries do not read what it adds.

Values are drawn independently per column (sex, year of birth, citizenship, forms, means of
control, scope…), which is the worst case for k-anonymity: almost every combination exists.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opnrm_stats_bench \
        .venv/bin/python bench/statistics_generate.py 1000000
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opennrm.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from opennrm.accounts.roles import AgencyType  # noqa: E402
from opennrm.demo.base import ensure_agencies, ensure_personas  # noqa: E402


def _array(values: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


def _pick(values: list[str]) -> str:
    return f"({_array(values)})[1 + floor(random() * {len(values)})::int]"


GENDERS = ["Feminine"] * 5 + ["Masculine"] * 4 + ["NonConforming", "NonSpecifiedUnknown"]
CITIZENSHIP = ["RS"] * 12 + [
    "UA",
    "AF",
    "RO",
    "BA",
    "NP",
    "VN",
    "BG",
    "CN",
    "NG",
    "DE",
    "AL",
    "MK",
    "TR",
    "SY",
    "PK",
    "IN",
    "BD",
]
FORMS = (
    ["SexualExploitation"] * 4
    + ["ForcedLabour"] * 3
    + ["ForcedBegging", "ForcedCriminality", "ForcedMarriage", "ChildLabour", "Servitude"]
)
MEANS = [
    "PhysicalThreats",
    "ThreatsLawEnforcement",
    "ThreatensChildrenFamily",
    "DebtBondage",
    "FalsePromises",
    "PhysicalAbuse",
    "SexualAbuse",
    "TakesEarnings",
    "RestrictsFinancialAccess",
    "RestrictsMedicalCare",
    "WithholdsNecessities",
    "PsychologicalAbuse",
    "PsychoactiveSubstance",
    "ExcessiveWorkingHours",
    "WithholdsDocuments",
    "Other",
]
SCOPES = ["internal", "internal", "transnational", "unknown"]
COUNTRIES = ["RS"] * 6 + ["DE", "AT", "HU", "IT", "TR"]
SERVICES = [
    "shelter",
    "medical",
    "psychological",
    "legal_aid",
    "interpretation",
    "education",
    "employment_reintegration",
    "financial",
    "social_care",
]


def generate(count: int) -> None:
    agencies = ensure_agencies()
    personas = ensure_personas(agencies, with_mfa=False)
    centre = agencies["cptv"].pk
    vesna = personas["vesna"].pk
    front_line = [
        a.pk
        for a in agencies.values()
        if a.type
        in (
            AgencyType.POLICE,
            AgencyType.LABOUR_INSPECTORATE,
            AgencyType.SOCIAL_WELFARE_CENTRE,
            AgencyType.CSO,
        )
    ]
    front = "ARRAY[" + ",".join(map(str, front_line)) + "]"
    steps = [
        (
            "persons",
            f"""
            INSERT INTO cases_person (created_at, updated_at, version, code, given_names,
                family_name, date_of_birth, contacts, identity_document, name_index,
                name_dob_index, name_yob_index, gender, year_of_birth, citizenship, languages)
            SELECT now(), now(), 1, 'RS-B-' || lpad(g::text, 7, '0'), '', '', '', '', '', '', '',
                '', {_pick(GENDERS)},
                CASE WHEN random() < 0.08 THEN NULL ELSE 1955 + floor(random() * 65)::int END,
                jsonb_build_array({_pick(CITIZENSHIP)}), '[]'::jsonb
            FROM generate_series(1, {count}) g
            """,
        ),
        (
            "cases",
            f"""
            INSERT INTO cases_case (created_at, updated_at, version, code, status, is_child,
                opened_on, presumed_victim_date, reflection_period_start, reflection_period_end,
                forms_of_exploitation, country_of_exploitation, municipality_of_exploitation,
                trafficking_scope, recruitment_method, means_of_control, risk_level,
                closure_reason, closure_details, lead_agency_id, person_id, caseworker_id)
            SELECT now(), now(), 1, s.code || '/1', 'closed',
                s.yob IS NOT NULL AND extract(year FROM s.d) - s.yob < 18,
                s.d, CASE WHEN s.r1 < 0.8 THEN s.d + 3 END,
                CASE WHEN s.r2 < 0.5 THEN s.d + 3 END, CASE WHEN s.r2 < 0.5 THEN s.d + 33 END,
                CASE WHEN s.r3 < 0.1 THEN jsonb_build_array({_pick(FORMS)}, {_pick(FORMS)})
                     WHEN s.r3 < 0.97 THEN jsonb_build_array({_pick(FORMS)})
                     ELSE '[]'::jsonb END,
                {_pick(COUNTRIES)}, '', {_pick(SCOPES)}, '',
                (SELECT coalesce(jsonb_agg(m), '[]'::jsonb) FROM unnest({_array(MEANS)}) m
                 WHERE random() < 0.12 AND s.id > 0),
                '', '', '', {centre}, s.id, {vesna}
            FROM (SELECT p.id, p.code, p.year_of_birth AS yob,
                         date '2016-01-01' + floor(random() * 3652)::int AS d,
                         random() AS r1, random() AS r2, random() AS r3
                  FROM cases_person p WHERE p.code LIKE 'RS-B-%%') s
            """,
        ),
        (
            "referrals",
            f"""
            INSERT INTO cases_referral (created_at, updated_at, version, reason,
                subject_given_names, subject_family_name, subject_date_of_birth,
                subject_contacts, subject_gender, subject_citizenship, subject_languages,
                is_child, consent, consent_scope, status, decline_category, decline_reason, sent_at,
                from_agency_id, from_user_id, to_agency_id, person_id, case_id)
            SELECT now(), now(), 1, '', '', '', '', '', 'NonSpecifiedUnknown', '[]'::jsonb,
                '[]'::jsonb, c.is_child, 'given', '[]'::jsonb, 'accepted', '', '',
                c.opened_on + time '09:00', ({front})[1 + floor(random() * {len(front_line)})::int],
                {vesna}, {centre}, c.person_id, c.id
            FROM cases_case c WHERE c.code LIKE 'RS-B-%%' AND random() < 0.9
            """,
        ),
        (
            "decisions",
            f"""
            INSERT INTO cases_identificationdecision (created_at, updated_at, outcome,
                decided_on, decision_org, reasoning, case_id, decided_by_id)
            SELECT now(), now(), CASE WHEN random() < 0.75 THEN 'identified'
                                      ELSE 'not_identified' END,
                c.presumed_victim_date + 20, 'NonPoliceGovernmentalOrganization', '', c.id,
                {vesna}
            FROM cases_case c
            WHERE c.code LIKE 'RS-B-%%' AND c.presumed_victim_date IS NOT NULL
              AND random() < 0.6
            """,
        ),
        (
            "permits",
            """
            INSERT INTO cases_residencepermit (created_at, updated_at, version, permit_type,
                status, applied_on, granted_on, case_id)
            SELECT now(), now(), 1, CASE WHEN random() < 0.5 THEN 'personal_situation'
                                         ELSE 'cooperation' END,
                'granted', c.opened_on + 10, c.opened_on + 40, c.id
            FROM cases_case c WHERE c.code LIKE 'RS-B-%%' AND random() < 0.05
            """,
        ),
        (
            "services",
            f"""
            INSERT INTO cases_servicerequest (created_at, updated_at, version, service_type,
                status, details, requested_at, decline_reason, case_id, provider_agency_id,
                requested_by_id)
            SELECT now(), now(), 1, {_pick(SERVICES)},
                CASE WHEN random() < 0.9 THEN 'completed' ELSE 'declined' END, '',
                c.opened_on + time '10:00', '', c.id, {centre}, {vesna}
            FROM cases_case c WHERE c.code LIKE 'RS-B-%%' AND random() < 0.6
            """,
        ),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        for name, sql in steps:
            started = time.perf_counter()
            cursor.execute(sql)
            print(f"  {name}: {cursor.rowcount} rows in {time.perf_counter() - started:.1f} s")
        cursor.execute("ANALYZE")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    if connection.vendor != "postgresql":
        sys.exit("The statistics benchmark runs on PostgreSQL (set DATABASE_URL).")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case WHERE code LIKE 'RS-B-%%'")
        existing = cursor.fetchone()[0]
    if existing == count:
        print(f"{count} synthetic cases already present.")
        return
    if existing:
        sys.exit(f"{existing} synthetic cases present, not {count}: use a fresh database.")
    started = time.perf_counter()
    print(f"Generating {count} cases…")
    generate(count)
    print(f"Done in {time.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()
