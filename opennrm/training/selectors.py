"""Reads of training records, each checked against ``accounts.policy``.

Stable contract for the monitoring app (live logframe indicators), documented on each function:
``population_coverage`` and ``cohort_figures``. Both return aggregates only — never a trainee's
name — and need ``training.view``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.core.errors import NotFoundError
from opennrm.training.models import (
    Attendance,
    Cohort,
    Course,
    Curriculum,
    Enrolment,
    EnrolmentOutcome,
    Headcount,
    ModuleCompletion,
    NeedsAssessment,
    OutcomeKind,
    TargetPopulation,
    Trainee,
    TrainingEvent,
)

VIEW = "training.view"


@dataclass(frozen=True)
class CoverageFigure:
    """Share of a target population trained on a date (``share`` in 0..1, 0 without headcount)."""

    population_code: str
    trained: int
    headcount: int
    share: float
    on: date | None = None


@dataclass(frozen=True)
class CohortFigures:
    """Enrolment, completion and follow-up outcome counts of one cohort."""

    cohort_code: str
    enrolled: int
    completed_all_modules: int
    modules: int
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def applied_to_volunteer(self) -> int:
        return self.outcomes.get(OutcomeKind.APPLIED_TO_VOLUNTEER, 0)

    @property
    def completion_share(self) -> float:
        return self.completed_all_modules / self.enrolled if self.enrolled else 0.0


def _today() -> date:
    return timezone.localdate()


def course_list(*, actor: User) -> QuerySet[Course]:
    """Courses with their module count; needs ``training.view`` (else empty)."""
    return policy.scope(actor, Course.objects.all(), VIEW).annotate(module_count=Count("modules"))


def course_get(*, actor: User, code: str) -> Course:
    """One course by code; NotFoundError when missing or not visible to ``actor``."""
    course = course_list(actor=actor).filter(code=code).first()
    if course is None:
        raise NotFoundError(_not_found())
    return course


def cohort_list(*, actor: User) -> QuerySet[Cohort]:
    """Cohorts with enrolled / completed counts; needs ``training.view`` (else empty)."""
    return (
        policy.scope(actor, Cohort.objects.select_related("course", "organiser"), VIEW)
        .annotate(
            enrolled=Count("enrolments", distinct=True),
            completed=Count(
                "enrolments", filter=Q(enrolments__completed_on__isnull=False), distinct=True
            ),
        )
        .order_by("-start", "code")
    )


def cohort_get(*, actor: User, code: str) -> Cohort:
    """One cohort by code; NotFoundError when missing or not visible to ``actor``."""
    cohort = cohort_list(actor=actor).filter(code=code).first()
    if cohort is None:
        raise NotFoundError(_not_found())
    return cohort


def enrolment_list(*, actor: User, cohort: Cohort, export: bool = False) -> QuerySet[Enrolment]:
    """A cohort's enrolments with trainee details (staff personal data) and modules done.

    Needs ``training.view``. Names and e-mails are staff personal data: the read is audited here,
    as the cohort page's view or (``export``) as the trainee list's export.
    """
    if export:
        record(
            actor=actor,
            verb="training.trainees_export",
            target=cohort,
            purpose="cohort trainee list export",
        )
    else:
        record(actor=actor, verb="training.trainees_view", target=cohort, purpose="cohort page")
    return (
        policy.scope(actor, Enrolment.objects.filter(cohort=cohort), VIEW)
        .select_related("trainee", "trainee__agency")
        .annotate(modules_done=Count("completions"))
        .order_by("trainee__last_name", "trainee__first_name", "pk")
    )


def enrolment_get(*, actor: User, pk: int) -> Enrolment:
    """One enrolment; NotFoundError when missing or not visible to ``actor``."""
    enrolment = (
        policy.scope(actor, Enrolment.objects.all(), VIEW)
        .select_related("trainee", "cohort", "cohort__course", "cohort__organiser")
        .filter(pk=pk)
        .first()
    )
    if enrolment is None:
        raise NotFoundError(_not_found())
    return enrolment


def cohort_figures(
    *, actor: User, cohort_code: str, start: date | None = None, end: date | None = None
) -> CohortFigures:
    """Counts for one cohort: enrolled, completed all modules, and each outcome kind.

    With ``start`` and ``end`` (both inclusive), completions and outcomes are those dated within
    the period (a report for 2019 counts no completion of a 2020 course); without them, all.
    Contract for monitoring: ``cohort_code`` such as ``help-2020-law-students``. Needs
    ``training.view`` (PermissionDeniedError otherwise); NotFoundError for an unknown code.
    """
    policy.require(actor, VIEW)
    cohort = cohort_get(actor=actor, code=cohort_code)
    outcomes = EnrolmentOutcome.objects.filter(enrolment__cohort=cohort)
    completed = int(getattr(cohort, "completed", 0))
    if start is not None or end is not None:
        completions = Enrolment.objects.filter(cohort=cohort, completed_on__isnull=False)
        if start is not None:
            outcomes = outcomes.filter(recorded_on__gte=start)
            completions = completions.filter(completed_on__gte=start)
        if end is not None:
            outcomes = outcomes.filter(recorded_on__lte=end)
            completions = completions.filter(completed_on__lte=end)
        completed = completions.count()
    outcome_rows = outcomes.values("kind").annotate(n=Count("id"))
    return CohortFigures(
        cohort_code=cohort.code,
        enrolled=int(getattr(cohort, "enrolled", 0)),
        completed_all_modules=completed,
        modules=cohort.course.modules.count(),
        outcomes={str(row["kind"]): int(row["n"]) for row in outcome_rows},
    )


def population_list(*, actor: User) -> QuerySet[TargetPopulation]:
    """Target populations; needs ``training.view`` (else empty)."""
    return policy.scope(actor, TargetPopulation.objects.all(), VIEW).prefetch_related(
        "qualifying_courses", "qualifying_events", "headcounts"
    )


def population_get(*, actor: User, code: str) -> TargetPopulation:
    """One target population; NotFoundError when missing or not visible to ``actor``."""
    population = population_list(actor=actor).filter(code=code).first()
    if population is None:
        raise NotFoundError(_not_found())
    return population


def _qualified_trainees(population: TargetPopulation, on: date) -> QuerySet[Trainee]:
    """Members of the population's profession who qualified on or before ``on``."""
    completed = Enrolment.objects.filter(
        trainee=OuterRef("pk"),
        cohort__course__in=population.qualifying_courses.all(),
        completed_on__lte=on,
    )
    attended = Attendance.objects.filter(
        trainee=OuterRef("pk"),
        event__in=population.qualifying_events.all(),
        event__end__lte=on,
    )
    return Trainee.objects.filter(profession=population.profession).filter(
        Exists(completed) | Exists(attended)
    )


def _coverage(population: TargetPopulation, on: date) -> CoverageFigure:
    headcount_row = (
        Headcount.objects.filter(population=population, on__lte=on).order_by("-on").first()
    )
    headcount = headcount_row.headcount if headcount_row else 0
    trained = _qualified_trainees(population, on).count()
    # A stale headcount can be smaller than the trained count; the share stays a share.
    share = min(1.0, trained / headcount) if headcount else 0.0
    return CoverageFigure(
        population_code=population.code, trained=trained, headcount=headcount, share=share, on=on
    )


def population_coverage(
    *, actor: User, population_code: str, on: date | None = None
) -> CoverageFigure:
    """Coverage of a target population on ``on`` (default today).

    ``trained`` counts distinct trainees of the population's profession who completed a
    qualifying course or attended a qualifying event by that date; ``headcount`` is the latest
    headcount recorded on or before it. Contract for monitoring (``labour_inspectors`` in the
    demo). Needs ``training.view`` (PermissionDeniedError otherwise); NotFoundError for an unknown
    code.
    """
    policy.require(actor, VIEW)
    population = population_get(actor=actor, code=population_code)
    return _coverage(population, on or _today())


def coverage_series(
    *, actor: User, population_code: str, points: list[date]
) -> list[CoverageFigure]:
    """Coverage of one population at each date of ``points`` (for the chart and its table)."""
    policy.require(actor, VIEW)
    population = population_get(actor=actor, code=population_code)
    return [_coverage(population, on) for on in points]


def coverage_points(*, actor: User, population_code: str) -> list[date]:
    """The dates where the coverage of a population changes: headcounts, completions, events."""
    policy.require(actor, VIEW)
    population = population_get(actor=actor, code=population_code)
    dates: set[date] = set(population.headcounts.values_list("on", flat=True))
    dates |= {
        day
        for day in Enrolment.objects.filter(
            cohort__course__in=population.qualifying_courses.all(),
            trainee__profession=population.profession,
            completed_on__isnull=False,
        ).values_list("completed_on", flat=True)
        if day is not None
    }
    dates |= set(population.qualifying_events.values_list("end", flat=True))
    return sorted(dates)


def event_list(*, actor: User) -> QuerySet[TrainingEvent]:
    """Training events with their attendance count; needs ``training.view`` (else empty)."""
    return (
        policy.scope(actor, TrainingEvent.objects.select_related("organiser"), VIEW)
        .annotate(attendees=Count("attendances"))
        .order_by("-start", "code")
    )


def event_get(*, actor: User, code: str) -> TrainingEvent:
    """One training event; NotFoundError when missing or not visible to ``actor``."""
    event = event_list(actor=actor).filter(code=code).first()
    if event is None:
        raise NotFoundError(_not_found())
    return event


def attendance_breakdown(*, actor: User, event: TrainingEvent, by: str) -> list[tuple[str, int]]:
    """Attendance of an event counted by ``profession``, ``agency_type`` or ``sex`` (no names)."""
    policy.require(actor, VIEW)
    if by not in {"profession", "agency_type", "sex"}:
        raise ValueError(by)
    rows = (
        Attendance.objects.filter(event=event)
        .values(f"trainee__{by}")
        .annotate(n=Count("id"))
        .order_by(f"trainee__{by}")
    )
    return [(str(row[f"trainee__{by}"]), int(row["n"])) for row in rows]


def needs_assessment_list(*, actor: User) -> QuerySet[NeedsAssessment]:
    """Needs assessments with institutions and follow-up events; needs ``training.view``."""
    return policy.scope(actor, NeedsAssessment.objects.all(), VIEW).prefetch_related(
        "institutions", "follow_up_events"
    )


def curriculum_list(*, actor: User) -> QuerySet[Curriculum]:
    """Curricula with their partner ministry; needs ``training.view`` (else empty)."""
    return policy.scope(actor, Curriculum.objects.select_related("partner"), VIEW)


def _not_found() -> str:
    return _("This training record does not exist or you may not see it.")


def module_completion_counts(*, actor: User, cohort: Cohort) -> dict[int, int]:
    """How many learners of a cohort completed each module (module id → count); no names."""
    policy.require(actor, VIEW)
    rows = (
        ModuleCompletion.objects.filter(enrolment__cohort=cohort)
        .values("module_id")
        .annotate(n=Count("id"))
    )
    return {int(row["module_id"]): int(row["n"]) for row in rows}
