"""``manage.py generate_cases --count N [--seed S]``: N synthetic cases, fast, for benchmarks.

Each case is a person with Serbian (Cyrillic or Latin) or foreign names, an accepted referral from
a front-line agency, and a case that followed a valid path through the workflow to its state,
with HTCDS values and consistent dates (referral ≤ presumed-victim date ≤ decision ≤ closure, a
recovery and reflection period of at least 30 days). It writes through ``imports.bulk_write_cases``,
the same path as the legacy import: codes from the locked sequences, encrypted personal data,
blind indexes, status history and one audit entry per case. The audit chain is sealed at the end.

Needs the demo agencies and personas (``seed_demo``, or created here when missing).
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from opennrm.accounts.models import Agency, User
from opennrm.accounts.roles import AgencyType, Role
from opennrm.audit.services import seal_pending
from opennrm.cases import vocab
from opennrm.cases.imports import bulk_write_cases
from opennrm.cases.models import MIN_REFLECTION_DAYS
from opennrm.cases.rows import CaseSpec
from opennrm.core.translit import to_latin

SERBIAN_GIVEN_F = [
    "Јована",
    "Милица",
    "Ана",
    "Марија",
    "Јелена",
    "Снежана",
    "Драгана",
    "Ивана",
    "Тијана",
    "Невена",
    "Катарина",
    "Сања",
    "Александра",
    "Бојана",
    "Љиљана",
]
SERBIAN_GIVEN_M = [
    "Марко",
    "Никола",
    "Стефан",
    "Лука",
    "Душан",
    "Милош",
    "Небојша",
    "Ђорђе",
    "Вук",
    "Урош",
    "Александар",
    "Жељко",
    "Бранко",
    "Дејан",
    "Горан",
]
SERBIAN_FAMILY = [
    "Петровић",
    "Јовановић",
    "Николић",
    "Марковић",
    "Ђорђевић",
    "Стојановић",
    "Илић",
    "Станковић",
    "Павловић",
    "Милошевић",
    "Томић",
    "Лазић",
    "Поповић",
    "Живковић",
    "Јанковић",
    "Ћирић",
    "Шаркић",
]
FOREIGN = {
    "UA": (
        ["Oksana", "Olena", "Iryna", "Natalia", "Mykola", "Andriy"],
        ["Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Melnyk"],
    ),
    "AF": (
        ["Ahmad", "Farid", "Zahra", "Mohammad", "Nazanin"],
        ["Rahimi", "Karimi", "Ahmadi", "Hosseini", "Noori"],
    ),
    "RO": (
        ["Ioana", "Elena", "Andrei", "Mihai", "Alexandra"],
        ["Popescu", "Ionescu", "Dumitru", "Stan", "Munteanu"],
    ),
    "BA": (
        ["Amra", "Emina", "Adnan", "Mirza", "Lejla"],
        ["Hodžić", "Kovačević", "Begić", "Delić", "Hadžić"],
    ),
    "NP": (
        ["Sita", "Ram", "Bikash", "Anita", "Suman"],
        ["Shrestha", "Gurung", "Tamang", "Thapa", "Rai"],
    ),
    "VN": (["Nguyen Thi", "Tran Van", "Le Thi", "Pham Van"], ["Lan", "Hung", "Mai", "Minh", "Hoa"]),
}
LANGUAGES = {
    "RS": ["sr"],
    "UA": ["uk", "ru"],
    "AF": ["fa", "ps"],
    "RO": ["ro"],
    "BA": ["bs"],
    "NP": ["ne"],
    "VN": ["vi"],
}
FRONT_LINE = (
    AgencyType.POLICE,
    AgencyType.LABOUR_INSPECTORATE,
    AgencyType.SOCIAL_WELFARE_CENTRE,
    AgencyType.CSO,
)
# Share of cases per final state: most NRM caseloads are old and closed.
STATE_WEIGHTS = {
    "referred": 2,
    "under_assessment": 4,
    "presumed_victim": 6,
    "identified": 8,
    "not_identified": 10,
    "in_protection": 15,
    "closed": 55,
}
PATHS = {
    "referred": [],
    "under_assessment": ["begin_assessment"],
    "presumed_victim": ["begin_assessment", "presume_victim"],
    "identified": ["begin_assessment", "presume_victim", "identify"],
    "not_identified": ["begin_assessment", "presume_victim", "not_identify"],
    "in_protection": ["begin_assessment", "presume_victim", "identify", "start_protection"],
}
TARGETS = {
    "begin_assessment": "under_assessment",
    "presume_victim": "presumed_victim",
    "identify": "identified",
    "not_identify": "not_identified",
    "start_protection": "in_protection",
    "close": "closed",
}
EXPLOITATION_WEIGHTS = {
    vocab.TypeOfExploitation.SEXUAL_EXPLOITATION: 40,
    vocab.TypeOfExploitation.FORCED_LABOUR: 30,
    vocab.TypeOfExploitation.FORCED_BEGGING: 8,
    vocab.TypeOfExploitation.FORCED_CRIMINALITY: 7,
    vocab.TypeOfExploitation.FORCED_MARRIAGE: 6,
    vocab.TypeOfExploitation.CHILD_LABOUR: 5,
    vocab.TypeOfExploitation.SERVITUDE: 4,
}


class Generator:
    """Draws one synthetic case at a time from a seeded random stream (reproducible)."""

    def __init__(self, *, seed: int, first_year: int, last_day: date) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.first_day = date(first_year, 1, 1)
        self.span = (last_day - self.first_day).days
        self.front_line = list(
            Agency.objects.filter(type__in=FRONT_LINE).values_list("id", flat=True)
        )
        centre = Agency.objects.filter(type=AgencyType.IDENTIFICATION_CENTRE).order_by("id")[0]
        self.centre_id = centre.pk
        self.caseworkers = list(
            User.objects.filter(
                agency=centre, role_assignments__role=Role.CASE_MANAGER, is_active=True
            ).values_list("id", flat=True)
        )
        screeners = User.objects.filter(role_assignments__role=Role.SCREENER, is_active=True)
        self.referrers = list(screeners.values_list("id", "agency_id"))
        if not self.front_line or not self.caseworkers or not self.referrers:
            raise CommandError(
                "generate_cases needs front-line agencies, a case manager at the identification "
                "centre and a screener: run seed_demo first."
            )
        self.states = list(STATE_WEIGHTS)
        self.state_weights = list(STATE_WEIGHTS.values())
        self.forms = list(EXPLOITATION_WEIGHTS)
        self.form_weights = list(EXPLOITATION_WEIGHTS.values())

    def _name(self, country: str, feminine: bool) -> tuple[str, str]:
        rng = self.rng
        if country == "RS":
            given = rng.choice(SERBIAN_GIVEN_F if feminine else SERBIAN_GIVEN_M)
            family = rng.choice(SERBIAN_FAMILY)
            if rng.random() < 0.5:
                given, family = to_latin(given), to_latin(family)
            return given, family
        givens, families = FOREIGN[country]
        return rng.choice(givens), rng.choice(families)

    def spec(self) -> CaseSpec:
        rng = self.rng
        country = "RS" if rng.random() < 0.7 else rng.choice(list(FOREIGN))
        feminine = rng.random() < 0.72
        given, family = self._name(country, feminine)
        day = self.first_day + timedelta(days=rng.randrange(self.span))
        sent_at = datetime(
            day.year, day.month, day.day, rng.randrange(7, 19), rng.randrange(60), tzinfo=UTC
        )
        age = rng.choice([rng.randrange(10, 18), rng.randrange(18, 55), rng.randrange(18, 30)])
        birth_year = day.year - age
        birth: date | None = None
        if rng.random() < 0.8:
            birth = date(birth_year, rng.randrange(1, 13), rng.randrange(1, 29))
        is_child = age < 18
        state = rng.choices(self.states, self.state_weights)[0]
        actions = list(PATHS.get(state, []))
        if state == "closed":
            before = rng.choice(
                ["under_assessment", "not_identified", "in_protection", "in_protection"]
            )
            actions = [*PATHS[before], "close"]
        caseworker = rng.choice(self.caseworkers)
        referrer, referrer_agency = rng.choice(self.referrers)
        when = sent_at
        path: list[tuple[str, str, datetime]] = []
        presumed = decision_day = None
        decision: tuple[str, date] | None = None
        closed_at = None
        for action in actions:
            when = when + timedelta(days=rng.randrange(1, 25), hours=rng.randrange(8))
            path.append((action, TARGETS[action], when))
            if action == "presume_victim":
                presumed = when.date()
            elif action in ("identify", "not_identify"):
                decision_day = when.date()
                outcome = "identified" if action == "identify" else "not_identified"
                decision = (outcome, decision_day)
            elif action == "close":
                closed_at = when + timedelta(days=rng.randrange(30, 500))
                path[-1] = (action, "closed", closed_at)
        now = timezone.now()
        if path and path[-1][2] > now:
            # A path running into the future is cut back to a plausible recent history.
            shift = path[-1][2] - now + timedelta(days=1)
            path = [(a, t, w - shift) for a, t, w in path]
            sent_at -= shift
            presumed = presumed - shift if presumed else None
            decision = (decision[0], decision[1] - shift) if decision else None
            closed_at = closed_at - shift if closed_at else None
        reflection_end = None
        if presumed is not None:
            reflection_end = presumed + timedelta(
                days=MIN_REFLECTION_DAYS + rng.choice([0, 0, 30, 60])
            )
        forms: list[str] = [str(rng.choices(self.forms, self.form_weights)[0])]
        if rng.random() < 0.1:
            forms.append(str(vocab.TypeOfExploitation.FORCED_LABOUR))
        forms = list(dict.fromkeys(forms))
        control = rng.sample(vocab.MethodOfControl.values, rng.randrange(0, 4))
        guardian = ""
        if is_child and "start_protection" in actions:
            guardian = " ".join(self._name("RS", rng.random() < 0.5))
        return CaseSpec(
            given_names=given,
            family_name=family,
            date_of_birth=birth,
            year_of_birth=birth.year if birth else birth_year,
            gender=vocab.Gender.FEMININE if feminine else vocab.Gender.MASCULINE,
            citizenship=[country],
            languages=LANGUAGES[country],
            contacts=f"+381 6{rng.randrange(10)} {rng.randrange(1000000, 9999999)}",
            identity_document="",
            from_agency_id=referrer_agency,
            from_user_id=referrer,
            to_agency_id=self.centre_id,
            lead_agency_id=self.centre_id,
            caseworker_id=caseworker,
            sent_at=sent_at,
            status=path[-1][1] if path else "referred",
            path=path,
            is_child=is_child,
            presumed_victim_date=presumed,
            reflection_period_start=presumed,
            reflection_period_end=reflection_end,
            forms_of_exploitation=forms,
            means_of_control=control,
            recruitment_method=rng.choice(vocab.MethodOfRecruitment.values),
            country_of_exploitation=rng.choice(["RS", "RS", "RS", "DE", "AT", "TR", "AE"]),
            trafficking_scope=(
                vocab.TraffickingScope.INTERNAL
                if country == "RS"
                else vocab.TraffickingScope.TRANSNATIONAL
            ),
            decision=decision,
            decision_reasoning=(
                "Synthetic decision: indicators assessed by the identification team."
                if decision
                else ""
            ),
            closure_reason=rng.choice(vocab.ClosureReason.values) if closed_at else "",
            closure_details="",
            closed_at=closed_at,
            guardian_name=guardian,
            guardian_appointed_by="Centre for Social Work" if guardian else "",
        )


class Command(BaseCommand):
    help = "Create N synthetic cases fast (bulk, same invariants as the services) for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="How many cases to create.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (reproducible).")
        parser.add_argument("--batch", type=int, default=2000, help="Cases per transaction.")
        parser.add_argument(
            "--first-year", type=int, default=2006, help="Earliest referral year (default 2006)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count, batch = options["count"], options["batch"]
        if count < 1 or batch < 1:
            raise CommandError("--count and --batch must be positive.")
        if not Agency.objects.filter(type=AgencyType.IDENTIFICATION_CENTRE).exists():
            from opennrm.demo.base import ensure_agencies, ensure_personas

            ensure_personas(ensure_agencies(), with_mfa=False)
        generator = Generator(
            seed=options["seed"], first_year=options["first_year"], last_day=timezone.localdate()
        )
        started = time.monotonic()
        done = 0
        while done < count:
            size = min(batch, count - done)
            specs = [generator.spec() for _ in range(size)]
            with transaction.atomic():
                bulk_write_cases(
                    specs,
                    actor=None,
                    actor_label="generate_cases",
                    verb="case.generate",
                    purpose="synthetic data for benchmarks",
                    seal=False,  # sealed below, in this process, once
                )
            done += size
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"{done}/{count} cases ({done / elapsed:,.0f} cases/s, {elapsed:,.1f} s)"
            )
        created_in = time.monotonic() - started
        self.stdout.write("Sealing the audit chain ...")
        sealed = seal_pending()
        total = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {count} cases in {created_in:,.1f} s ({count / created_in:,.0f} cases/s); "
                f"sealed {sealed} audit entries; {total:,.1f} s in all."
            )
        )
