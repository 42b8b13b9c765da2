"""A release built from generated cases: every published number against a direct count, every
table attacked, and who may see which profile."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from opennrm.audit.models import AuditEntry
from opennrm.cases import vocab
from opennrm.cases.models import Case
from opennrm.core.errors import PermissionDeniedError
from opennrm.statistics import ages, selectors
from opennrm.statistics.disclosure import Profile, possible_counts, released_value
from opennrm.statistics.tables import standard_tables
from tests.statistics.data import make_case

PERIOD = selectors.Period(date(2025, 1, 1), date(2026, 12, 31))
YEAR = selectors.Period(date(2025, 1, 1), date(2025, 12, 31))
FORMS = ["ForcedLabour", "SexualExploitation", "ForcedBegging", "ForcedMarriage"]
GENDERS = [vocab.Gender.FEMININE, vocab.Gender.MASCULINE, vocab.Gender.NON_CONFORMING]


@pytest.fixture
def generated(agencies, personas):
    rng = random.Random(7)
    referrers = [agencies[k] for k in ("labour", "police_bg", "police_ni", "astra", "csw_bg")]
    for _ in range(160):
        presumed = date(rng.choice([2024, 2025, 2026]), rng.randint(1, 12), rng.randint(1, 28))
        identified = presumed.replace(day=28) if rng.random() < 0.6 else None
        child = rng.random() < 0.3
        make_case(
            centre=agencies["cptv"],
            caseworker=personas["vesna"],
            gender=rng.choices(GENDERS, weights=[6, 4, 1])[0],
            year_of_birth=rng.choice([None, presumed.year - rng.randint(5, 60)]),
            citizenship=rng.choice([["RS"], ["RS"], ["RS"], ["BG"], ["VN"], []]),
            is_child=child,
            presumed_on=presumed,
            identified_on=identified,
            forms=rng.choice([[f] for f in FORMS] + [FORMS[:2], []]),
            scope=rng.choice(list(vocab.TraffickingScope.values)),
            referred_by=rng.choice([*referrers, None]),
            reflection_from=presumed if rng.random() < 0.5 else None,
            permit=(vocab.PermitType.COOPERATION, presumed) if rng.random() < 0.1 else None,
            services=[(vocab.ServiceType.SHELTER, vocab.ServiceStatus.COMPLETED, presumed)]
            if rng.random() < 0.4
            else [],
        )
    return agencies


def _sex(person):
    return {"Feminine": "female", "Masculine": "male"}.get(person.gender, "other")


def _form(case):
    forms = case.forms_of_exploitation
    return "multiple" if len(forms) > 1 else (forms[0] if forms else "unknown")


def _dims(case, on):
    person = case.person
    referral = getattr(case, "referral", None)
    citizenship = person.citizenship[0] if person.citizenship else None
    # The Python rule of ``ages``: the SQL of the tables must give the same groups.
    age = ages.age_at(on, year_of_birth=person.year_of_birth)
    return {
        "year": str(on.year),
        "age_group": ages.age_group(age, flagged_child=case.is_child),
        "ctdc_age": ages.ctdc_bracket(age, flagged_child=case.is_child),
        "form": _form(case),
        "nationality": "unknown"
        if citizenship is None
        else ("national" if citizenship == "RS" else "foreign"),
        "country": citizenship or "unknown",
        "agency_type": referral.from_agency.type if referral else "unknown",
        "scope": case.trafficking_scope,
    }


def direct_counts():
    """The same tables counted one case at a time in Python, no GROUP BY."""
    counts: dict[str, Counter] = {}
    for case in Case.objects.select_related("person"):
        sex = _sex(case.person)
        events = []
        if case.presumed_victim_date and PERIOD.start <= case.presumed_victim_date <= PERIOD.end:
            events.append(("presumed", case.presumed_victim_date))
        for decision in case.decisions.filter(outcome="identified"):
            if PERIOD.start <= decision.decided_on <= PERIOD.end:
                events.append(("identified", decision.decided_on))
        for population, on in events:
            for key, value in _dims(case, on).items():
                counts.setdefault(f"{population}_by_{key}", Counter())[(value, sex)] += 1
        if (
            case.reflection_period_start
            and PERIOD.start <= case.reflection_period_start <= PERIOD.end
        ):
            age = ages.age_at(case.reflection_period_start, year_of_birth=case.person.year_of_birth)
            age_group = ages.age_group(age, flagged_child=case.is_child)
            counts.setdefault("reflection_period", Counter())[(age_group, sex)] += 1
        for permit in case.residence_permits.all():
            if permit.granted_on and PERIOD.start <= permit.granted_on <= PERIOD.end:
                counts.setdefault("residence_permits", Counter())[(permit.permit_type, sex)] += 1
        for service in case.service_requests.all():
            if PERIOD.start <= service.requested_at.date() <= PERIOD.end:
                counts.setdefault("assistance", Counter())[(service.service_type, sex)] += 1
    return counts


def test_official_figures_equal_a_direct_count_of_the_cases(generated, personas):
    expected = direct_counts()
    release = selectors.statistics_release(
        actor=personas["nada"], period=PERIOD, profile=Profile.OFFICIAL
    )
    assert len(release) == len(standard_tables())
    checked = 0
    for table in release:
        if table.built.id not in expected:
            assert table.built.table.grand_total == 0 or table.built.id.endswith("agency_type")
            continue
        t = table.built.table
        published = {
            (r, c): table.protected.cells[i][j].value
            for i, r in enumerate(t.row_labels)
            for j, c in enumerate(t.column_labels)
        }
        assert {k: v for k, v in published.items() if v} == dict(expected[table.built.id]), (
            table.built.id
        )
        assert table.protected.grand_total.value == sum(expected[table.built.id].values())
        checked += 1
    assert checked == 19
    assert sum(expected["presumed_by_year"].values()) > 50


@pytest.mark.parametrize("profile", [Profile.RESTRICTED, Profile.PUBLIC])
def test_protected_releases_publish_each_figure_from_its_count_and_keys_only(
    generated, personas, profile
):
    release = selectors.statistics_release(actor=personas["dragan"], period=YEAR, profile=profile)
    threshold = 10 if profile is Profile.PUBLIC else 5
    hidden = 0
    for table in release:
        grid, keys = table.built.table.grid(), table.built.table.key_grid()
        shown = table.protected.grid()
        for i, line in enumerate(grid):
            for j, value in enumerate(line):
                cell = shown[i][j]
                published = released_value(value, keys[i][j], profile, selectors.thresholds())
                if cell.suppressed:
                    hidden += 1
                    assert (cell.value, cell.display, published) == (None, f"<{threshold}", 0)
                else:
                    assert cell.value == published >= threshold
                    assert value in possible_counts(published, profile, selectors.thresholds(), 999)
    assert hidden > 20


def test_a_release_for_the_same_period_gives_the_same_figures(generated, personas):
    def figures():
        release = selectors.statistics_release(
            actor=personas["dragan"], period=YEAR, profile=Profile.RESTRICTED
        )
        return [[c.display for c in row] for t in release for row in t.protected.grid()]

    assert figures() == figures()


def test_an_official_release_is_audited_and_a_restricted_one_is_not(generated, personas):
    before = AuditEntry.objects.filter(verb="statistics.view_official").count()
    selectors.statistics_release(actor=personas["dragan"], period=YEAR, profile=Profile.RESTRICTED)
    assert AuditEntry.objects.filter(verb="statistics.view_official").count() == before
    selectors.statistics_table(
        actor=personas["nada"], table_id="assistance", period=PERIOD, profile=Profile.OFFICIAL
    )
    entry = AuditEntry.objects.filter(verb="statistics.view_official").latest("at")
    assert entry.actor == personas["nada"]
    assert entry.target_id == "2025-01-01..2026-12-31"
    assert entry.target_label == "assistance"


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("nada", {Profile.PUBLIC, Profile.RESTRICTED, Profile.OFFICIAL}),
        ("dragan", {Profile.PUBLIC, Profile.RESTRICTED}),
        ("vesna", {Profile.PUBLIC, Profile.RESTRICTED}),
        ("cedomir", set()),
        ("ivan", set()),
        ("marija", set()),
        ("ana", set()),
        ("milan", set()),
        ("jelena", set()),
        ("zoran", set()),
    ],
)
def test_each_role_gets_only_its_profiles(personas, username, allowed):
    user = personas[username]
    for profile in Profile:
        if profile in allowed:
            selectors.statistics_table(
                actor=user, table_id="presumed_by_year", period=YEAR, profile=profile
            )
        else:
            with pytest.raises(PermissionDeniedError):
                selectors.statistics_table(
                    actor=user, table_id="presumed_by_year", period=YEAR, profile=profile
                )
