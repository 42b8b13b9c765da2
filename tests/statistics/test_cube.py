"""The victim counts kept per month (``statistics.cube``) give, cell by cell, the counts and
record-key sums of counting the rows, after every kind of change: through the services, through
the ORM and through raw SQL (the database's triggers mark the months), read on the primary
(months counted again) and as a replica reads them (nothing written: changed months counted
from the rows)."""

from __future__ import annotations

import io
import random
import threading
import time as time_module
from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from opennrm.cases import services, vocab
from opennrm.cases.models import (
    Case,
    IdentificationDecision,
    Person,
    Referral,
    ResidencePermit,
    ServiceRequest,
)
from opennrm.statistics import cube
from opennrm.statistics.models import CountedMonth, MonthCount, RecordTimes, StaleMonth
from opennrm.statistics.tables import CUBED, Period, population_counts
from tests.statistics.data import make_case

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Months are kept on PostgreSQL only."
)

PERIODS = [
    Period(date(2024, 1, 1), date(2024, 12, 31)),  # a year: whole months
    Period(date(2024, 3, 1), date(2024, 3, 31)),  # a month
    Period(date(2023, 11, 17), date(2025, 2, 3)),  # free: edges on both sides
    Period(date(2024, 5, 3), date(2024, 5, 20)),  # inside one month
    Period(date(2015, 1, 1), date(2026, 12, 31)),  # many years
]
FORMS = ["SexualExploitation", "ForcedLabour", "ForcedBegging"]
PERMITS = [vocab.PermitType.PERSONAL_SITUATION, vocab.PermitType.COOPERATION]
SERVICES = [vocab.ServiceType.SHELTER, vocab.ServiceType.MEDICAL, vocab.ServiceType.LEGAL_AID]
STATUSES = [vocab.ServiceStatus.COMPLETED, vocab.ServiceStatus.IN_PROGRESS]
STATUSES += [vocab.ServiceStatus.DECLINED]


def from_rows(period: Period) -> dict[str, dict]:
    """What the rows of the whole period give, without kept months."""
    found = {}
    for name, keys in cube.KEPT.items():
        counts = population_counts(CUBED[name], keys, [(period.start, period.end)])
        found[name] = counts.get(None, {key: {} for key in keys})
    return found


def assert_same(period: Period) -> None:
    kept = cube.counts(cube.KEPT, period)
    assert kept == from_rows(period), period


@pytest.fixture
def victims(agencies, personas):
    """Forty victims over 2023–2025, some identified, some twice, some with a reflection
    period or a permit, referred by several kinds of agency, assisted with one to three
    services (some twice the same)."""
    rng = random.Random(7)
    centre, vesna = agencies["cptv"], personas["vesna"]
    referrers = [agencies["labour"], agencies["police_ni"], None]
    made = []
    for _ in range(40):
        presumed = date(2023, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        identified = presumed + timedelta(days=rng.randrange(60)) if rng.random() < 0.6 else None
        case = make_case(
            centre=centre,
            caseworker=vesna,
            gender=rng.choice([vocab.Gender.FEMININE, vocab.Gender.MASCULINE]),
            year_of_birth=rng.choice([None, 1980, 2000, 2008, 2012]),
            citizenship=[rng.choice(["RS", "VN", "AL"])],
            presumed_on=presumed,
            identified_on=identified,
            forms=rng.sample(FORMS, rng.choice([0, 1, 1, 2])),
            referred_by=rng.choice(referrers),
            reflection_from=presumed + timedelta(days=3) if rng.random() < 0.4 else None,
            permit=(rng.choice(PERMITS), presumed + timedelta(days=40))
            if rng.random() < 0.3
            else None,
            services=[
                (
                    rng.choice(SERVICES),
                    rng.choice(STATUSES),
                    presumed + timedelta(days=rng.randrange(90)),
                )
                for _ in range(rng.choice([0, 1, 2, 3]))
            ],
        )
        if identified and rng.random() < 0.2:
            IdentificationDecision.objects.create(
                case=case,
                outcome=vocab.IdentificationOutcome.IDENTIFIED,
                decided_by=vesna,
                decided_on=identified + timedelta(days=rng.choice([10, 200, 400])),
                reasoning="Identified again.",
            )
        made.append(case)
    return made


@postgresql_only
def test_kept_months_give_the_figures_of_the_rows(victims):
    rng = random.Random(11)
    drawn = []
    for _ in range(12):
        start = date(2022, 11, 1) + timedelta(days=rng.randrange(1300))
        drawn.append(Period(start, start + timedelta(days=rng.randrange(800))))
    for period in [*PERIODS, *drawn]:
        assert_same(period)
    assert MonthCount.objects.filter(population="identified").exists()
    # Counted once: the months are current and nothing is stale.
    assert not StaleMonth.objects.exists()
    counted = set(CountedMonth.objects.values_list("month", flat=True))
    assert date(2024, 3, 1) in counted
    # The next release of a year reads the kept months; only the records that occur more
    # than once in a distinct-counted population (identified twice, assisted twice with the
    # same service…) are counted from the rows, one query per such population.
    with CaptureQueriesContext(connection) as queries:
        cube.counts(cube.KEPT, PERIODS[0])
    scans = [q["sql"] for q in queries.captured_queries if "GROUPING SETS" in q["sql"]]
    assert len(scans) == sum(1 for name in cube.KEPT if CUBED[name].counted != "pk") == 3


@postgresql_only
@pytest.mark.parametrize("refreshed", [True, False], ids=["primary", "replica"])
def test_every_kind_of_change_moves_the_kept_figures(
    victims, agencies, personas, refreshed, monkeypatch
):
    for period in PERIODS:
        assert_same(period)
    if not refreshed:
        # As on a read replica: nothing is counted again, changed months come from the rows.
        monkeypatch.setattr(cube, "refresh", lambda months: 0)
    vesna = personas["vesna"]
    identified = [c for c in victims if c.decisions.exists()]
    changes = []

    # Through the services: a person's sex and year of birth, a case's forms and scope.
    person = identified[0].person
    services.person_update(
        actor=vesna,
        person=person,
        expected_version=person.version,
        gender=vocab.Gender.MASCULINE
        if person.gender == vocab.Gender.FEMININE
        else vocab.Gender.FEMININE,
        year_of_birth=1999,
        family_name="Petrović",
    )
    changes.append("person_update")
    case = Case.objects.get(pk=identified[1].pk)
    services.case_update(
        actor=vesna,
        case=case,
        expected_version=case.version,
        forms_of_exploitation=["ForcedCriminality"],
        trafficking_scope=vocab.TraffickingScope.TRANSNATIONAL,
    )
    changes.append("case_update")
    # Through the ORM: a second decision makes a victim one identified twice; a decision
    # removed; a presumed-victim date moved to another month and year; a child flag.
    once = next(c for c in identified[2:] if c.decisions.count() == 1)
    IdentificationDecision.objects.create(
        case=once,
        outcome=vocab.IdentificationOutcome.IDENTIFIED,
        decided_by=vesna,
        decided_on=once.decisions.get().decided_on + timedelta(days=35),
        reasoning="Again.",
    )
    changes.append("second decision")
    twice = next(c for c in identified if c.decisions.count() == 2 and c.pk != once.pk)
    twice.decisions.order_by("decided_on").first().delete()
    changes.append("decision deleted")
    Case.objects.filter(pk=victims[5].pk).update(
        presumed_victim_date=date(2025, 12, 30), is_child=True
    )
    changes.append("presumed date moved")
    assisted = ServiceRequest.objects.filter(status=vocab.ServiceStatus.COMPLETED).first()
    ServiceRequest.objects.filter(pk=assisted.pk).update(status=vocab.ServiceStatus.DECLINED)
    changes.append("service declined")
    for days, status in ((62, vocab.ServiceStatus.ACCEPTED), (1, vocab.ServiceStatus.COMPLETED)):
        ServiceRequest.objects.create(
            case=assisted.case,
            service_type=assisted.service_type,
            provider_agency=agencies["cptv"],
            status=status,
            requested_by=vesna,
            requested_at=assisted.requested_at + timedelta(days=days),
        )
    changes.append("same service twice more")
    sent = Referral.objects.exclude(case=None).first()
    Referral.objects.filter(pk=sent.pk).update(
        sent_at=sent.sent_at + timedelta(days=70), status=vocab.ReferralStatus.DECLINED
    )
    changes.append("referral moved")
    # Through raw SQL: an agency's type, a person's citizenship, a referral removed, a case
    # with its person and decision loaded as a bulk import would, a case deleted.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_agency SET type = 'cso' WHERE id = %s", [agencies["labour"].pk]
        )
        changes.append("agency type")
        cursor.execute(
            "UPDATE cases_person SET citizenship = '[\"UA\"]'::jsonb WHERE id = %s",
            [victims[7].person_id],
        )
        changes.append("citizenship")
        cursor.execute("DELETE FROM cases_referral WHERE case_id = %s", [victims[9].pk])
        changes.append("referral deleted")
        cursor.execute(
            "UPDATE cases_residencepermit SET granted_on = granted_on + 45, "
            "permit_type = 'cooperation' WHERE id = (SELECT min(id) FROM cases_residencepermit)"
        )
        changes.append("permit moved")
    loaded = make_case(
        centre=agencies["cptv"],
        caseworker=vesna,
        presumed_on=date(2024, 3, 15),
        identified_on=date(2024, 4, 2),
        reflection_from=date(2024, 3, 18),
    )
    changes.append("case added")
    gone = victims[11]
    gone.decisions.all().delete()
    Referral.objects.filter(case=gone).delete()
    ServiceRequest.objects.filter(case=gone).delete()
    ResidencePermit.objects.filter(case=gone).delete()
    Case.objects.filter(pk=gone.pk).delete()
    Person.objects.filter(pk=gone.person_id).delete()
    changes.append("case deleted")
    assert loaded.pk
    for period in PERIODS:
        assert_same(period)
    assert changes


@postgresql_only
def test_a_change_committed_while_a_release_counts_does_not_count_a_victim_twice(
    victims, personas, monkeypatch
):
    period = Period(date(2023, 1, 1), date(2025, 12, 31))
    assert_same(period)
    # Identified once, in a kept month; a second decision arrives between the release's kept
    # months and its count of the victims identified more than once.
    once = next(
        c
        for c in victims
        if c.decisions.count() == 1
        and date(2023, 2, 1) <= c.decisions.get().decided_on <= date(2025, 11, 30)
    )
    decided = once.decisions.get().decided_on
    counting = cube.population_counts
    arrived = []

    def meanwhile(pop, keys, spans, **options):
        if options.get("repeats") and not arrived:
            arrived.append(
                IdentificationDecision.objects.create(
                    case=once,
                    outcome=vocab.IdentificationOutcome.IDENTIFIED,
                    decided_by=personas["vesna"],
                    decided_on=decided + timedelta(days=5),
                    reasoning="Confirmed again.",
                )
            )
        return counting(pop, keys, spans, **options)

    monkeypatch.setattr(cube, "population_counts", meanwhile)
    found = cube.counts({"identified": ["year"]}, period)["identified"]
    assert arrived
    assert found == {"year": from_rows(period)["identified"]["year"]}


@postgresql_only
def test_months_counted_by_other_rules_are_counted_again(victims, monkeypatch):
    assert_same(PERIODS[0])
    before = CountedMonth.objects.get(month=date(2024, 3, 1)).counted_at
    # Another NRM's country: "national" now means something else in every kept month.
    monkeypatch.setattr("django.conf.settings.OPENNRM_COUNTRY_CODE", "VN")
    assert_same(PERIODS[0])
    assert CountedMonth.objects.get(month=date(2024, 3, 1)).counted_at > before


@postgresql_only
def test_refresh_all_counts_every_month_with_victims_ahead(victims):
    counted = cube.refresh_all()
    assert counted >= 30
    assert cube.refresh_all() == 0
    first = min(c.presumed_victim_date for c in victims).replace(day=1)
    assert CountedMonth.objects.filter(month=first).exists()
    with CaptureQueriesContext(connection) as queries:
        assert_same(PERIODS[0])
        assert_same(PERIODS[2])
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert writes == []


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_transactions_adding_a_case_s_first_service_at_once_both_count(
    agencies, personas, audit_flushable
):
    """Each sees no other shelter of the case; the database still knows the case has two
    (the second waits on the first's row of ``RecordTimes``), so the case is not counted
    twice when months are added up."""
    centre, vesna = agencies["cptv"], personas["vesna"]
    case = make_case(centre=centre, caseworker=vesna, presumed_on=date(2024, 1, 10))
    first_added = threading.Event()
    errors: list[BaseException] = []

    def add(on: date, pause: float) -> None:
        try:
            with transaction.atomic():
                ServiceRequest.objects.create(
                    case_id=case.pk,
                    service_type=vocab.ServiceType.SHELTER,
                    provider_agency=centre,
                    status=vocab.ServiceStatus.COMPLETED,
                    requested_by=vesna,
                    requested_at=timezone.make_aware(datetime.combine(on, time(10))),
                )
                first_added.set()
                time_module.sleep(pause)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=add, args=(date(2024, 1, 12), 0.5))
    first.start()
    assert first_added.wait(10)
    second = threading.Thread(target=add, args=(date(2024, 3, 5), 0))
    second.start()
    first.join()
    second.join()
    assert errors == []
    times = RecordTimes.objects.get(
        population="assistance", case_id=case.pk, row=vocab.ServiceType.SHELTER
    )
    assert times.times == 2
    period = Period(date(2024, 1, 1), date(2024, 12, 31))
    assert cube.counts({"assistance": ["row"]}, period)["assistance"]["row"] == {
        ("shelter", "female"): (1, from_rows(period)["assistance"]["row"][("shelter", "female")][1])
    }
    assert_same(period)


@postgresql_only
def test_refresh_figures_counts_the_months_ahead(victims):
    call_command("refresh_figures", stdout=io.StringIO())
    assert not StaleMonth.objects.exists()
    assert CountedMonth.objects.count() >= 30


@given(
    start=st.dates(date(2000, 1, 1), date(2040, 12, 31)),
    length=st.integers(0, 1200),
)
def test_a_period_is_its_whole_months_and_its_other_days_each_day_once(start, length):
    period = Period(start, start + timedelta(days=length))
    months, edges = cube.split(period)
    days = [m + timedelta(days=d) for m in months for d in range((cube.month_end(m) - m).days + 1)]
    for first, last in edges:
        days += [first + timedelta(days=d) for d in range((last - first).days + 1)]
    assert sorted(days) == [period.start + timedelta(days=d) for d in range(length + 1)]
    assert all(m.day == 1 for m in months)
    assert len(edges) <= 2
    assert cube.merge([*edges, *((m, cube.month_end(m)) for m in months)]) == [
        (period.start, period.end)
    ]
