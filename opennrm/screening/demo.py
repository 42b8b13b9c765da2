"""Demo screenings (most across 2020, some recent) by labour inspectors, police and CSO outreach workers.

Everything goes through the services, so the demo exercises the same rules as real use. Outcomes
are mixed on purpose: a share of screenings meets the combination rule, the rest does not; some
persons are children or presumed children; a few interviews are left as drafts.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from opennrm.accounts.models import User
from opennrm.accounts.roles import Role
from opennrm.accounts.services import user_create
from opennrm.demo.base import ensure_totp
from opennrm.demo.context import DemoContext
from opennrm.demo.personas import DEMO_PASSWORD
from opennrm.screening import engine, services
from opennrm.screening.models import AgeGroup, Screening
from opennrm.screening.selectors import engine_catalogue

# Extra front-line screeners for the agencies that have no persona (username, agency key, name).
EXTRA_SCREENERS = (
    ("demo.police.bg", "police_bg", "Nikola", "Lazić"),
    ("demo.astra", "astra", "Jovana", "Kostić"),
    ("demo.atina", "atina", "Milica", "Radović"),
    ("demo.csw", "csw_bg", "Sanja", "Božić"),
)
PLACES = ("Beograd", "Novi Sad", "Subotica", "Niš", "Kragujevac", "Šabac", "Vranje", "Pančevo")


def _screeners(ctx: DemoContext) -> list[tuple[User, str]]:
    """(user, kind) pairs; kind decides which lists the screener tends to use."""
    users = [(ctx.users["ana"], "labour"), (ctx.users["cedomir"], "police")]
    for username, agency, first, last in EXTRA_SCREENERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=None,
                username=username,
                agency=ctx.agencies[agency],
                roles=[Role.SCREENER],
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
            )
        ensure_totp(user)
        users.append((user, "cso" if agency in ("astra", "atina") else "police"))
    return users


def _answers(rng: random.Random, catalogue: engine.Catalogue, positive: bool) -> dict[str, str]:
    """Answers that meet (or, mostly, miss) the catalogue's rules, with some "not known"."""
    answers: dict[str, str] = {}
    by_dimension: dict[str, list[engine.IndicatorSpec]] = {}
    for indicator in catalogue.indicators:
        by_dimension.setdefault(indicator.dimension, []).append(indicator)
    if positive:
        for group in catalogue.rules.required:
            dimension = rng.choice([d for d in group if by_dimension.get(d)])
            pool = by_dimension[dimension]
            strong = [i for i in pool if i.strength == "strong"]
            others = [i for i in pool if i.strength != "strong"]
            if strong and others and rng.random() < 0.6:
                chosen = [rng.choice(strong), *rng.sample(others, 1)]
            else:
                chosen = rng.sample(pool, min(len(pool), 4))
            for indicator in chosen:
                answers[indicator.code] = engine.PRESENT
    else:
        for indicator in rng.sample(list(catalogue.indicators), rng.randint(0, 4)):
            answers[indicator.code] = engine.PRESENT
    for indicator in rng.sample(list(catalogue.indicators), rng.randint(0, 5)):
        answers.setdefault(indicator.code, engine.UNKNOWN)
    for indicator in catalogue.indicators:
        answers.setdefault(indicator.code, engine.ABSENT)
    return answers


def _screened_on(rng: random.Random, number: int, today: dt.date) -> dt.date:
    """Most screenings belong to the action's year 2020 (its logframe counts them); one in six is
    recent, relative to the day the demo is seeded, and the unfinished ones (see ``seed``) were
    begun in the last week, as happens in the field."""
    if number % 12 == 5:
        return today - dt.timedelta(days=rng.randint(0, 6))
    if number % 6 == 0:
        return today - dt.timedelta(days=rng.randint(1, 60))
    return dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 365))


def seed(ctx: DemoContext) -> None:
    demo_screeners = ["ana", "cedomir", *(username for username, *_rest in EXTRA_SCREENERS)]
    if Screening.objects.filter(screener__username__in=demo_screeners).exists():
        ctx.say("  screening: demo screenings already present")
        return
    rng = ctx.rng
    screeners = _screeners(ctx)
    count = 60 * ctx.size
    today = timezone.localdate()
    for number in range(count):
        user, kind = rng.choice(screeners)
        roll = rng.random()
        if roll < 0.12:
            age_group, reasons = (
                AgeGroup.PRESUMED_CHILD,
                "Без докумената; изгледа као да има око 15 година; каже да има 19.",
            )
        elif roll < 0.3:
            age_group, reasons = AgeGroup.CHILD, ""
        else:
            age_group, reasons = AgeGroup.ADULT, ""
        if kind == "labour":
            exploitation = ["labour"]
        elif kind == "cso":
            exploitation = rng.choice([["sexual"], ["labour", "sexual"]])
        else:
            exploitation = rng.choice([["labour"], ["sexual"], ["labour", "sexual"]])
        screening = services.screening_start(
            actor=user,
            age_group=age_group,
            exploitation=exploitation,
            screened_on=_screened_on(rng, number, today),
            place=rng.choice(PLACES),
            age_reasons=reasons,
        )
        positive = rng.random() < 0.35
        answers: dict[str, str] = {}
        for catalogue in screening.catalogues:
            answers |= _answers(rng, engine_catalogue(catalogue), positive)
        services.screening_save_answers(
            actor=user,
            screening=screening,
            expected_version=screening.version,
            answers=answers,
            observations="Измишљено запажање за демо: особа затечена током редовне посете.",
        )
        # About one in twelve interviews is left unfinished, as happens in the field.
        if number % 12 != 5:
            services.screening_submit(
                actor=user, screening=screening, expected_version=screening.version
            )
    ctx.say(f"  screening: {count} demo screenings, most across 2020, some in the last weeks")
