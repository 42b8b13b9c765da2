"""Headers and rows of the training tables, shared by the pages and their XLSX exports so the
figures on screen and in the download cannot differ."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from opennrm.accounts.roles import AgencyType
from opennrm.training.models import (
    Cohort,
    Curriculum,
    Enrolment,
    NeedsAssessment,
    OutcomeKind,
    Profession,
    Sex,
    TargetPopulation,
    TrainingEvent,
)
from opennrm.training.selectors import CohortFigures, CoverageFigure

_LABELS: dict[str, dict[str, Any]] = {
    "profession": dict(Profession.choices),
    "agency_type": dict(AgencyType.choices),
    "sex": dict(Sex.choices),
}


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]


def labelled(kind: str, counts: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Replace stored codes by their translated labels ("" becomes "Not stated")."""
    labels = _LABELS[kind]
    return [(str(labels.get(code, code)) if code else _("Not stated"), n) for code, n in counts]


def cohort_table(cohorts: Sequence[Cohort]) -> Table:
    return Table(
        [
            _("Cohort"),
            _("Course"),
            _("Target group"),
            _("Start"),
            _("End"),
            _("Organiser"),
            _("Enrolled"),
            _("Completed all modules"),
        ],
        [
            [
                c.code,
                c.course.title,
                c.get_target_group_display(),
                c.start,
                c.end,
                c.organiser.name,
                getattr(c, "enrolled", 0),
                getattr(c, "completed", 0),
            ]
            for c in cohorts
        ],
    )


def outcome_rows(figures: CohortFigures) -> list[tuple[str, int]]:
    return [(str(label), figures.outcomes.get(code, 0)) for code, label in OutcomeKind.choices]


def enrolment_table(enrolments: Sequence[Enrolment], module_count: int) -> Table:
    return Table(
        [
            _("Last name"),
            _("First name"),
            _("E-mail"),
            _("Profession"),
            _("Sex"),
            _("Modules completed"),
            _("Course completed on"),
        ],
        [
            [
                e.trainee.last_name,
                e.trainee.first_name,
                e.trainee.email,
                e.trainee.get_profession_display(),
                e.trainee.get_sex_display(),
                f"{getattr(e, 'modules_done', 0)}/{module_count}",
                e.completed_on or "",
            ]
            for e in enrolments
        ],
    )


def coverage_table(
    populations: Sequence[TargetPopulation], figures: Sequence[CoverageFigure]
) -> Table:
    return Table(
        [_("Population"), _("Trained"), _("Headcount"), _("Share trained (%)")],
        [
            [p.name, f.trained, f.headcount, round(f.share * 100, 1)]
            for p, f in zip(populations, figures, strict=True)
        ],
    )


def series_table(series: Sequence[CoverageFigure]) -> Table:
    return Table(
        [_("Date"), _("Trained"), _("Headcount"), _("Share trained (%)")],
        [[f.on, f.trained, f.headcount, round(f.share * 100, 1)] for f in series],
    )


def event_table(events: Sequence[TrainingEvent]) -> Table:
    return Table(
        [
            _("Code"),
            _("Title"),
            _("Kind"),
            _("Start"),
            _("End"),
            _("Place"),
            _("Organiser"),
            _("Attendees"),
        ],
        [
            [
                e.code,
                e.title,
                e.get_kind_display(),
                e.start,
                e.end,
                e.place,
                e.organiser.name,
                getattr(e, "attendees", 0),
            ]
            for e in events
        ],
    )


def assessment_table(assessments: Sequence[NeedsAssessment]) -> Table:
    return Table(
        [
            _("Code"),
            _("Topic"),
            _("Institutions"),
            _("Status"),
            _("Started on"),
            _("Findings"),
            _("Follow-up trainings"),
        ],
        [
            [
                a.code,
                a.topic,
                "; ".join(i.name for i in a.institutions.all()),
                a.get_status_display(),
                a.started_on or "",
                a.findings,
                "; ".join(e.title for e in a.follow_up_events.all()),
            ]
            for a in assessments
        ],
    )


def curriculum_table(curricula: Sequence[Curriculum]) -> Table:
    return Table(
        [
            _("Code"),
            _("Topic"),
            _("Partner ministry"),
            _("Target group"),
            _("Status"),
            _("Trainings start"),
        ],
        [
            [
                c.code,
                c.topic,
                c.partner.name,
                c.get_target_group_display(),
                c.get_status_display(),
                c.trainings_start or "",
            ]
            for c in curricula
        ],
    )
