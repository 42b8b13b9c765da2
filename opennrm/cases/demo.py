"""Demo persons, referrals and cases across the whole workflow, through the services.

About 150 cases at size 1 (``ctx.size`` scales it): most from 2019–2021 and closed, plus open
recent cases with running deadlines (unacknowledged referrals, reflection periods ending,
unanswered service requests) so dashboards are not empty. Referrals come from Ana (labour
inspector) and Čedomir (police, Niš); Vesna takes the identification decisions; Milan's shelter
receives shelter requests; some children have guardians; a few people are re-trafficked.

The services stamp "now" on timestamps that users never type (sent, acknowledged, requested,
status changes); for a realistic history those columns are back-dated afterwards on the demo's
own rows. Idempotent: nothing is added when the demo's referrals already exist.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from opennrm.accounts.models import Agency, User
from opennrm.cases import demo_names, services, vocab
from opennrm.cases.models import (
    Case,
    CaseStatusChange,
    Consent,
    Person,
    Referral,
    ServiceRequest,
)
from opennrm.demo.context import DemoContext

BASE_CASES = 150
EXPLOITATION_WEIGHTS = (
    (vocab.TypeOfExploitation.FORCED_LABOUR, 40),
    (vocab.TypeOfExploitation.SEXUAL_EXPLOITATION, 35),
    (vocab.TypeOfExploitation.FORCED_BEGGING, 8),
    (vocab.TypeOfExploitation.FORCED_CRIMINALITY, 6),
    (vocab.TypeOfExploitation.FORCED_MARRIAGE, 6),
    (vocab.TypeOfExploitation.SERVITUDE, 5),
)
MUNICIPALITIES = ("Beograd", "Novi Sad", "Niš", "Subotica", "Kragujevac", "Šabac", "Vranje")


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _pick_outcome(rng_value: float, recent: bool) -> str:
    """How far a case gets: historic cases are mostly closed, recent ones still open."""
    stages: tuple[tuple[float, str], ...]
    if recent:
        stages = (
            (0.15, "pending"),
            (0.25, "referred"),
            (0.40, "under_assessment"),
            (0.65, "presumed_victim"),
            (0.75, "identified"),
            (1.00, "in_protection"),
        )
    else:
        stages = (
            (0.05, "declined"),
            (0.15, "not_identified"),
            (0.25, "in_protection"),
            (1.00, "closed"),
        )
    return next(stage for limit, stage in stages if rng_value <= limit)


def _referred_on(roll: float, spread: int, stage: str, recent: bool, today: date) -> date:
    """The day a case was referred, relative to the day the demo is seeded, so that its
    deadlines fall as in real work (``cases.deadlines``): a referral waits at most 48 hours for
    acknowledgement, an identification decision is due 30 days after it. Historic cases keep
    the action's years (2019–2021), which its logframe counts.

    Open work is spread so that a home page shows a realistic mix: a few items due today or this
    week, a few overdue by some days, most in progress.
    """
    if not recent:
        return date(2019, 1, 1) + timedelta(days=spread % (3 * 365))
    if stage == "pending":
        # Unacknowledged referrals: sent today, yesterday, or (one in four) three to four days
        # ago, i.e. overdue by a day or two.
        return today - timedelta(days=(0, 1, 1, 3 + spread % 2)[int(roll * 4)])
    if stage in ("referred", "under_assessment", "presumed_victim"):
        # The decision is due 30 days after acknowledgement: most in the coming weeks, some
        # this week, about one in seven overdue by a few days.
        return today - timedelta(days=4 + spread % 31)
    return today - timedelta(days=30 + spread % 46)


def seed(ctx: DemoContext) -> None:
    if Referral.objects.filter(from_user__username__in=["ana", "cedomir"]).exists():
        ctx.say("  cases: demo referrals already present, nothing added")
        return
    rng = ctx.rng
    ana, cedomir, vesna, milan = (ctx.users[n] for n in ("ana", "cedomir", "vesna", "milan"))
    assert milan.agency is not None
    shelter = milan.agency
    cso = [ctx.agencies["astra"], ctx.agencies["atina"]]
    today = timezone.localdate()
    total = BASE_CASES * ctx.size
    known: list[int] = []
    for index in range(total):
        recent = index >= total * 0.8
        stage = _pick_outcome(rng.random(), recent)
        day = _referred_on(rng.random(), rng.randint(0, 10**6), stage, recent, today)
        referrer = ana if rng.random() < 0.55 else cedomir
        child = rng.random() < 0.15
        female = rng.random() < (0.55 if referrer is cedomir else 0.35)
        name = demo_names.any_name(rng, female=female)
        age = rng.randint(13, 17) if child else rng.randint(18, 55)
        birth = day - timedelta(days=age * 365 + rng.randint(0, 364))
        forms: list[str] = [
            rng.choices(
                [f for f, _w in EXPLOITATION_WEIGHTS], [w for _f, w in EXPLOITATION_WEIGHTS]
            )[0]
        ]
        if referrer is ana and vocab.TypeOfExploitation.FORCED_LABOUR not in forms:
            forms = [vocab.TypeOfExploitation.FORCED_LABOUR]
        with transaction.atomic():
            _one_case(
                ctx,
                referrer=referrer,
                vesna=vesna,
                name=name,
                birth=birth,
                child=child,
                forms=forms,
                day=day,
                stage=stage,
                shelter=shelter,
                cso=cso,
                known=known,
            )
    _break_glass(ctx, vesna)
    ctx.say(f"  cases: {Case.objects.count()} cases, {Referral.objects.count()} referrals")


def _break_glass(ctx: DemoContext, vesna: User) -> None:
    """One break-the-glass access, today, for the auditor to review (a flagged entry)."""
    from opennrm.accounts import policy

    case = Case.objects.filter(status=vocab.CaseStatus.CLOSED).order_by("id").first()
    if case is None:
        return
    policy.break_glass(
        actor=vesna,
        obj=case,
        reason="Судски налог 7/26: суд тражи спис затвореног случаја (демо).",
    )


def _one_case(
    ctx: DemoContext,
    *,
    referrer: User,
    vesna: User,
    name: demo_names.SyntheticName,
    birth: date,
    child: bool,
    forms: list[str],
    day: date,
    stage: str,
    shelter: Agency,
    cso: list[Agency],
    known: list[int],
) -> None:
    rng = ctx.rng
    exact_birth = rng.random() < 0.7
    referral = services.referral_create(
        actor=referrer,
        given_names=name.given,
        family_name=name.family,
        date_of_birth=birth if exact_birth else None,
        year_of_birth=None if exact_birth else birth.year,
        gender=vocab.Gender.FEMININE if name.female else vocab.Gender.MASCULINE,
        citizenship=name.citizenship,
        languages=name.languages,
        reason="Током инспекције уочени су показатељи трговине људима.",
        is_child=child,
        consent_given=not child,
        consent_scope=[vocab.ConsentScope.SERVICES] if not child else [],
        sent_at=_aware(day, 9),
    )
    if stage == "pending":
        if rng.random() < 0.5:
            services.referral_acknowledge(actor=vesna, referral=referral, expected_version=1)
            Referral.objects.filter(pk=referral.pk).update(acknowledged_at=_aware(day, 15))
        return
    if stage == "declined":
        services.referral_decline(
            actor=vesna,
            referral=referral,
            expected_version=1,
            reason="The person is already assisted in another procedure.",
            category="other_service",
        )
        Referral.objects.filter(pk=referral.pk).update(
            acknowledged_at=_aware(day, 15), decided_at=_aware(day + timedelta(days=1))
        )
        return
    # A few people come back: re-trafficking is a new case for the same person.
    person = None
    if known and rng.random() < 0.03:
        person = Person.objects.get(pk=rng.choice(known))
    case = services.referral_accept(
        actor=vesna, referral=referral, expected_version=1, person=person
    )
    known.append(case.person_id)
    acknowledged = day + timedelta(days=rng.choice([0, 1, 1, 2]))
    Referral.objects.filter(pk=referral.pk).update(
        acknowledged_at=_aware(acknowledged, 11), decided_at=_aware(acknowledged, 14)
    )
    Case.objects.filter(pk=case.pk).update(opened_on=acknowledged)
    Consent.objects.filter(case=case).update(recorded_at=_aware(day, 9))
    case = Case.objects.get(pk=case.pk)
    scope = (
        vocab.TraffickingScope.INTERNAL
        if name.citizenship == ["RS"] and rng.random() < 0.7
        else vocab.TraffickingScope.TRANSNATIONAL
    )
    services.case_update(
        actor=vesna,
        case=case,
        expected_version=case.version,
        forms_of_exploitation=forms,
        country_of_exploitation="RS" if scope == vocab.TraffickingScope.INTERNAL else "DE",
        municipality_of_exploitation=rng.choice(MUNICIPALITIES),
        trafficking_scope=scope,
        recruitment_method=rng.choice(vocab.MethodOfRecruitment.values),
        means_of_control=rng.sample(vocab.MethodOfControl.values[:-1], k=rng.randint(1, 3)),
        risk_level=rng.choice(vocab.RiskLevel.values),
    )
    if stage == "referred":
        return
    services.case_begin_assessment(actor=vesna, case=case, expected_version=case.version)
    if stage == "under_assessment":
        return
    if stage == "not_identified":
        decided = acknowledged + timedelta(days=rng.randint(10, 40))
        services.case_decide_identification(
            actor=vesna,
            case=case,
            expected_version=case.version,
            outcome=vocab.IdentificationOutcome.NOT_IDENTIFIED,
            decided_on=min(decided, timezone.localdate()),
            reasoning="The interviews did not confirm the indicators of the referral.",
        )
        services.case_close(
            actor=vesna, case=case, expected_version=case.version, reason="not_identified"
        )
        _backdate(case, decided)
        return
    presumed = min(acknowledged + timedelta(days=rng.randint(0, 5)), timezone.localdate())
    services.case_presume_victim(
        actor=vesna, case=case, expected_version=case.version, presumed_on=presumed
    )
    if stage == "presumed_victim":
        return
    decided = min(presumed + timedelta(days=rng.randint(20, 60)), timezone.localdate())
    services.case_decide_identification(
        actor=vesna,
        case=case,
        expected_version=case.version,
        outcome=vocab.IdentificationOutcome.IDENTIFIED,
        decided_on=decided,
        reasoning="Индикатори потврђени у два разговора и у извештају инспекције.",
    )
    if stage == "identified":
        return
    if case.is_child:
        services.guardian_add(
            actor=vesna,
            case=case,
            full_name=demo_names.serbian(rng, female=rng.random() < 0.6).given
            + " "
            + demo_names.serbian(rng, female=False).family,
            appointed_on=presumed,
            appointed_by="City Centre for Social Work Belgrade",
            relationship="temporary guardian",
        )
    services.case_start_protection(actor=vesna, case=case, expected_version=case.version)
    requested = decided
    request = services.service_request_create(
        actor=vesna,
        case=case,
        service_type=vocab.ServiceType.SHELTER,
        provider_agency=shelter,
    )
    extra = services.service_request_create(
        actor=vesna,
        case=case,
        service_type=rng.choice(
            [
                vocab.ServiceType.PSYCHOLOGICAL,
                vocab.ServiceType.LEGAL_AID,
                vocab.ServiceType.EMPLOYMENT,
            ]
        ),
        provider_agency=rng.choice(cso),
    )
    ServiceRequest.objects.filter(pk__in=[request.pk, extra.pk]).update(
        requested_at=_aware(requested, 12)
    )
    recent_open = stage == "in_protection" and decided > timezone.localdate() - timedelta(days=90)
    if recent_open and ctx.rng.random() < 0.4:
        # Left unanswered on purpose: the "service request unanswered" deadline shows. Requested
        # in the last week (answers are due within five days), so most are due now, a few late.
        asked = timezone.localdate() - timedelta(days=rng.randint(0, 7))
        ServiceRequest.objects.filter(pk__in=[request.pk, extra.pk]).update(
            requested_at=_aware(asked, 12)
        )
        return
    milan = ctx.users["milan"]
    services.service_request_respond(
        actor=milan, request=request, expected_version=request.version, step="accept"
    )
    services.shelter_stay_start(
        actor=milan, case=case, admitted_on=requested, service_request=request
    )
    # The placement begins with the stay; a few recent ones are accepted but not started yet
    # (the provider's "services to start"). Answer and start dated as the stay, not today.
    ServiceRequest.objects.filter(pk=request.pk).update(responded_at=_aware(requested, 14))
    request.refresh_from_db()
    if not recent_open or rng.random() < 0.6:
        services.service_request_respond(
            actor=milan, request=request, expected_version=request.version, step="start"
        )
        ServiceRequest.objects.filter(pk=request.pk).update(started_at=_aware(requested, 16))
        request.refresh_from_db()
    if stage == "closed":
        services.service_request_respond(
            actor=milan, request=request, expected_version=request.version, step="complete"
        )
        stay = case.shelter_stays.get()
        left = requested + timedelta(days=rng.randint(30, 240))
        services.shelter_stay_end(
            actor=milan,
            stay=stay,
            expected_version=stay.version,
            left_on=left,
            exit_reason=rng.choice(vocab.ShelterExitReason.values),
        )
        # Completed when the person left, not when the demo ran: a service completed "now"
        # would let the provider see a long-closed case for its grace period.
        ServiceRequest.objects.filter(pk=request.pk).update(completed_at=_aware(left, 12))
        services.case_close(
            actor=vesna,
            case=case,
            expected_version=case.version,
            reason=rng.choice(
                [
                    vocab.ClosureReason.RECOVERED,
                    vocab.ClosureReason.RECOVERED,
                    vocab.ClosureReason.RETURNED,
                    vocab.ClosureReason.LOST_CONTACT,
                ]
            ),
        )
        _backdate(case, left)
        return
    _backdate(case, decided)


def _backdate(case: Case, last: date) -> None:
    """Spread the case's status changes between its opening and ``last`` (see module doc)."""
    changes = list(CaseStatusChange.objects.filter(case=case).order_by("id"))
    start = case.opened_on
    span = max((last - start).days, 1)
    for position, change in enumerate(changes):
        day = start + timedelta(days=span * position // max(len(changes) - 1, 1))
        CaseStatusChange.objects.filter(pk=change.pk).update(at=_aware(day, 12))
    if case.status == vocab.CaseStatus.CLOSED:
        Case.objects.filter(pk=case.pk).update(closed_at=_aware(last, 16))
