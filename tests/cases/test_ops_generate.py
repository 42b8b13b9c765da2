"""generate_cases: many cases fast, with the same invariants as cases entered through services."""

from __future__ import annotations

import io
import itertools
import re
from datetime import date

from django.core.management import call_command

from opennrm.audit.models import AuditEntry
from opennrm.cases import services, workflow
from opennrm.cases.models import Case, CaseStatusChange, IdentificationDecision, Person, Referral
from opennrm.cases.vocab import Gender, MethodOfControl, TypeOfExploitation


def generate(count: int, seed: int = 1) -> str:
    out = io.StringIO()
    call_command("generate_cases", count=count, seed=seed, batch=40, stdout=out)
    return out.getvalue()


def test_it_creates_the_cases_with_progress_and_the_rate(personas) -> None:
    output = generate(100)
    assert "40/100 cases" in output
    assert "100/100 cases" in output
    assert re.search(r"Created 100 cases in [\d.,]+ s \([\d,]+ cases/s\)", output)
    assert Case.objects.count() == 100
    assert Person.objects.count() == 100
    assert Referral.objects.filter(status="accepted").count() == 100
    assert AuditEntry.objects.filter(verb="case.generate").count() == 100


def test_generated_cases_keep_the_invariants(personas) -> None:
    generate(120, seed=7)
    codes = list(Person.objects.values_list("code", flat=True))
    assert len(set(codes)) == 120
    assert all(re.fullmatch(r"RS-20\d\d-\d{5}-[2-9A-HJKMNP-TV-Z]{5}", code) for code in codes)
    for case in Case.objects.select_related("person"):
        assert case.code == f"{case.person.code}/1"
        person = case.person
        dob = date.fromisoformat(person.date_of_birth) if person.date_of_birth else None
        expected = services.person_indexes(
            person.given_names, person.family_name, dob, person.year_of_birth
        )
        assert (person.name_index, person.name_dob_index, person.name_yob_index) == (
            expected["name_index"],
            expected["name_dob_index"],
            expected["name_yob_index"],
        )
        assert person.gender in Gender.values
        assert set(case.forms_of_exploitation) <= set(TypeOfExploitation.values)
        assert set(case.means_of_control) <= set(MethodOfControl.values)
        # the status history is a valid walk through the workflow table, ending in the status
        history = list(case.status_changes.order_by("id").values_list("from_status", "to_status"))
        assert history[0] == ("", "referred")
        for (_before, after), (source, _target) in itertools.pairwise(history):
            assert after == source
        assert history[-1][1] == case.status
        for source, target in history[1:]:
            assert any(source in t.sources and t.target == target for t in workflow.TRANSITIONS), (
                source,
                target,
            )
        if case.reflection_period_start:
            assert (case.reflection_period_end - case.reflection_period_start).days >= 30
        decided = IdentificationDecision.objects.filter(case=case).exists()
        assert decided == any(t in ("identified", "not_identified") for _s, t in history)


def test_the_stored_personal_data_is_encrypted(personas) -> None:
    from django.db import connection

    generate(5)
    with connection.cursor() as cursor:
        cursor.execute("SELECT given_names, family_name FROM cases_person")
        rows = cursor.fetchall()
    assert all(given.startswith("enc1:") and family.startswith("enc1:") for given, family in rows)


def test_a_persons_next_case_through_the_services_gets_a_new_code(personas) -> None:
    generate(3)
    person = Person.objects.order_by("id").first()
    case = services.case_open(
        actor=personas["vesna"], person=person, lead_agency=personas["vesna"].agency
    )
    assert case.code == f"{person.code}/2"
    assert CaseStatusChange.objects.filter(case=case).count() == 1


def test_the_same_seed_gives_the_same_cases(personas) -> None:
    generate(10, seed=3)
    first = sorted(Case.objects.values_list("status", "opened_on"))
    generate(10, seed=3)
    statuses = sorted(Case.objects.values_list("status", "opened_on"))
    assert statuses == sorted(first + first)
