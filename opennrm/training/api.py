"""Training API (/api/v1/training/): cohorts and their figures, coverage, events, planning, and
the completion-report import. Aggregates never carry trainees' names; enrolment lists do and need
``training.view`` like the pages."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from opennrm.accounts import policy
from opennrm.accounts import selectors as account_selectors
from opennrm.accounts.models import Agency, User
from opennrm.core import http
from opennrm.core.apischemas import InputSchema
from opennrm.core.errors import NotFoundError
from opennrm.core.tabular import read_upload
from opennrm.imports.services import import_file
from opennrm.training import selectors, services
from opennrm.training.models import Cohort, Curriculum, NeedsAssessment, TrainingEvent

router = Router(tags=["training"])


def _viewer(request: HttpRequest) -> User:
    """The caller, who needs ``training.view`` for anything under this router (else 403)."""
    return policy.require(http.actor(request), "training.view")


def _agency(agency_id: int) -> Agency:
    return account_selectors.agency_ref(agency_id, field="organiser_id")


class CohortOut(Schema):
    code: str
    title: str
    course: str
    target_group: str
    start: date
    end: date
    organiser: str
    language: str
    enrolled: int
    completed: int
    version: int


class CohortIn(InputSchema):
    course_code: str
    code: str
    title: str
    target_group: str
    start: date
    end: date
    organiser_id: int
    language: str = "sr"


class CohortChange(InputSchema):
    version: int
    title: str | None = None
    start: date | None = None
    end: date | None = None
    language: str | None = None


# Figures are answered as the selectors' dataclasses (CohortFigures, CoverageFigure).


class CompletionImportOut(Schema):
    rows: int
    learners_created: int
    enrolled: int
    completions_added: int
    completed_course: int


class EventOut(Schema):
    code: str
    title: str
    kind: str
    start: date
    end: date
    place: str
    attendees: int


class EventIn(InputSchema):
    code: str
    title: str
    kind: str
    start: date
    end: date
    organiser_id: int
    place: str = ""
    agenda: str = ""
    trainers: str = ""


class BreakdownOut(Schema):
    group: str
    attendees: int


class HeadcountIn(InputSchema):
    on: date
    headcount: int
    source: str = ""


class AssessmentOut(Schema):
    code: str
    topic: str
    status: str
    started_on: date | None
    findings: str
    institutions: list[str]
    follow_up_events: list[str]


class CurriculumOut(Schema):
    code: str
    topic: str
    partner: str
    target_group: str
    status: str
    trainings_start: date | None


def _cohort_out(cohort: Cohort) -> CohortOut:
    return CohortOut(
        code=cohort.code,
        title=cohort.title,
        course=cohort.course.code,
        target_group=cohort.target_group,
        start=cohort.start,
        end=cohort.end,
        organiser=cohort.organiser.name,
        language=cohort.language,
        enrolled=getattr(cohort, "enrolled", 0),
        completed=getattr(cohort, "completed", 0),
        version=cohort.version,
    )


@router.get("/cohorts", response=list[CohortOut])
@paginate
def cohort_list(request: HttpRequest) -> list[CohortOut]:
    return [_cohort_out(c) for c in selectors.cohort_list(actor=_viewer(request))]


@router.post("/cohorts", response={201: CohortOut})
def cohort_create(request: HttpRequest, payload: CohortIn) -> Status[CohortOut]:
    user = _viewer(request)
    course = selectors.course_get(actor=user, code=payload.course_code)
    cohort = services.cohort_create(
        actor=user,
        course=course,
        code=payload.code,
        title=payload.title,
        target_group=payload.target_group,
        start=payload.start,
        end=payload.end,
        organiser=_agency(payload.organiser_id),
        language=payload.language,
    )
    return Status(201, _cohort_out(selectors.cohort_get(actor=user, code=cohort.code)))


@router.patch("/cohorts/{code}", response=CohortOut)
def cohort_update(request: HttpRequest, code: str, payload: CohortChange) -> CohortOut:
    """Change a cohort; answers 409 when ``version`` is not the one last saved."""
    user = _viewer(request)
    cohort = selectors.cohort_get(actor=user, code=code)
    values = payload.model_dump(exclude={"version"}, exclude_none=True)
    services.cohort_update(actor=user, cohort=cohort, expected_version=payload.version, **values)
    return _cohort_out(selectors.cohort_get(actor=user, code=code))


@router.get("/cohorts/{code}/figures", response=selectors.CohortFigures)
def cohort_figures(request: HttpRequest, code: str) -> selectors.CohortFigures:
    return selectors.cohort_figures(actor=_viewer(request), cohort_code=code)


@router.post("/cohorts/{code}/import", response=CompletionImportOut)
def cohort_import(request: HttpRequest, code: str, file: File[UploadedFile]) -> CompletionImportOut:
    """Import a completion report; a bad file answers 400 with ``fields`` "row N / column"."""
    user = _viewer(request)
    cohort = selectors.cohort_get(actor=user, code=code)
    # The import pipeline's completion spec, with the suggested or remembered column mapping.
    result = import_file(
        actor=user,
        spec_key="training.completions",
        target=cohort.code,
        filename=file.name or "upload.csv",
        data=read_upload(file, filename=file.name or ""),
    )
    return CompletionImportOut(**result.figures)


@router.get("/coverage/{population_code}", response=selectors.CoverageFigure)
def coverage(
    request: HttpRequest, population_code: str, on: date | None = None
) -> selectors.CoverageFigure:
    return selectors.population_coverage(
        actor=_viewer(request), population_code=population_code, on=on
    )


@router.get("/coverage/{population_code}/series", response=list[selectors.CoverageFigure])
def coverage_series(request: HttpRequest, population_code: str) -> list[selectors.CoverageFigure]:
    user = _viewer(request)
    points = selectors.coverage_points(actor=user, population_code=population_code)
    return selectors.coverage_series(actor=user, population_code=population_code, points=points)


@router.post("/populations/{population_code}/headcounts", response={201: selectors.CoverageFigure})
def headcount_record(
    request: HttpRequest, population_code: str, payload: HeadcountIn
) -> Status[selectors.CoverageFigure]:
    user = _viewer(request)
    population = selectors.population_get(actor=user, code=population_code)
    services.headcount_record(
        actor=user,
        population=population,
        on=payload.on,
        headcount=payload.headcount,
        source=payload.source,
    )
    return Status(201, selectors.population_coverage(actor=user, population_code=population_code))


def _event_out(event: TrainingEvent) -> EventOut:
    return EventOut(
        code=event.code,
        title=event.title,
        kind=event.kind,
        start=event.start,
        end=event.end,
        place=event.place,
        attendees=getattr(event, "attendees", 0),
    )


@router.get("/events", response=list[EventOut])
@paginate
def event_list(request: HttpRequest) -> list[EventOut]:
    return [_event_out(e) for e in selectors.event_list(actor=_viewer(request))]


@router.post("/events", response={201: EventOut})
def event_create(request: HttpRequest, payload: EventIn) -> Status[EventOut]:
    user = _viewer(request)
    event = services.event_create(
        actor=user,
        code=payload.code,
        title=payload.title,
        kind=payload.kind,
        start=payload.start,
        end=payload.end,
        organiser=_agency(payload.organiser_id),
        place=payload.place,
        agenda=payload.agenda,
        trainers=payload.trainers,
    )
    return Status(201, _event_out(selectors.event_get(actor=user, code=event.code)))


@router.get("/events/{code}/attendance/{by}", response=list[BreakdownOut])
def event_attendance(request: HttpRequest, code: str, by: str) -> list[BreakdownOut]:
    user = _viewer(request)
    if by not in {"profession", "agency_type", "sex"}:
        raise NotFoundError(_("Attendance can be broken down by profession, agency_type or sex."))
    event = selectors.event_get(actor=user, code=code)
    return [
        BreakdownOut(group=group, attendees=n)
        for group, n in selectors.attendance_breakdown(actor=user, event=event, by=by)
    ]


def _assessment_out(a: NeedsAssessment) -> AssessmentOut:
    return AssessmentOut(
        code=a.code,
        topic=a.topic,
        status=a.status,
        started_on=a.started_on,
        findings=a.findings,
        institutions=[i.name for i in a.institutions.all()],
        follow_up_events=[e.code for e in a.follow_up_events.all()],
    )


@router.get("/needs-assessments", response=list[AssessmentOut])
@paginate
def needs_assessment_list(request: HttpRequest) -> list[AssessmentOut]:
    return [_assessment_out(a) for a in selectors.needs_assessment_list(actor=_viewer(request))]


def _curriculum_out(c: Curriculum) -> CurriculumOut:
    return CurriculumOut(
        code=c.code,
        topic=c.topic,
        partner=c.partner.name,
        target_group=c.target_group,
        status=c.status,
        trainings_start=c.trainings_start,
    )


@router.get("/curricula", response=list[CurriculumOut])
@paginate
def curriculum_list(request: HttpRequest) -> list[CurriculumOut]:
    return [_curriculum_out(c) for c in selectors.curriculum_list(actor=_viewer(request))]
