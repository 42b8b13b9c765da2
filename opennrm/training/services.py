"""Every write to training records: one function per use case, audited, in one transaction.

Permissions: ``training.edit`` for every write here; certificates need ``training.view``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import IO, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import Agency, User
from opennrm.accounts.roles import AgencyType
from opennrm.audit.services import changes_of, record, update_recorded
from opennrm.core.errors import ConflictError, ValidationFailed
from opennrm.core.models import save_versioned
from opennrm.core.tabular import RowErrors, parse_date, read_rows
from opennrm.training.importing import (
    IDENTITY_COLUMNS,
    ImportResult,
    default_profession,
    match_columns,
)
from opennrm.training.models import (
    Attendance,
    Cohort,
    Course,
    Curriculum,
    Enrolment,
    EnrolmentOutcome,
    Headcount,
    Module,
    ModuleCompletion,
    NeedsAssessment,
    Profession,
    Sex,
    TargetPopulation,
    Trainee,
    TrainingEvent,
)

EDIT = "training.edit"
_LOOKUP_CHUNK = 900  # below SQLite's bound-parameter limit on old builds


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationFailed(
            _("The end of the period must not be before its start."),
            fields={"end": _("The end must be on or after the start.")},
        )


def _unique(model: type[Any], code: str) -> None:
    if model.objects.filter(code=code).exists():
        raise ConflictError(
            _("A record with the code “%(code)s” already exists.") % {"code": code},
            fields={"code": _("This code is already used.")},
        )


# Courses and modules ---------------------------------------------------------------------------


def course_create(
    *,
    actor: User,
    code: str,
    title: str,
    modules: Sequence[tuple[str, str] | tuple[str, str, str]],
    provider: str = "",
    edition: str = "",
    title_sr: str = "",
) -> Course:
    """Create a course with its ordered modules ``(code, title)`` or ``(code, title,
    title in Serbian Cyrillic)``; needs ``training.edit``."""
    policy.require(actor, EDIT)
    if not modules:
        raise ValidationFailed(
            _("A course needs at least one module."),
            fields={"modules": _("Add at least one module.")},
        )
    codes = [module[0] for module in modules]
    if len(set(codes)) != len(codes):
        raise ValidationFailed(
            _("Each module of a course needs its own code."),
            fields={"modules": _("Two modules have the same code.")},
        )
    _unique(Course, code)
    with transaction.atomic():
        course = Course.objects.create(
            code=code, title=title, title_sr=title_sr.strip(), provider=provider, edition=edition
        )
        Module.objects.bulk_create(
            Module(
                course=course,
                position=index,
                code=module[0],
                title=module[1],
                title_sr=module[2] if len(module) > 2 else "",
            )
            for index, module in enumerate(modules, start=1)
        )
        record(
            actor=actor,
            verb="training.course_create",
            target=course,
            changes={"modules": [None, len(modules)]},
        )
    return course


def course_set_column_mapping(
    *, actor: User, course: Course, mapping: dict[str, str], expected_version: int
) -> Course:
    """Save which completion-report column holds which module (header → module code).

    Needs ``training.edit``; refuses a module code the course does not have.
    """
    policy.require(actor, EDIT)
    known = set(course.modules.values_list("code", flat=True))
    unknown = sorted(set(mapping.values()) - known)
    if unknown:
        raise ValidationFailed(
            _("The mapping names modules this course does not have: %(codes)s.")
            % {"codes": ", ".join(unknown)},
            fields={"mapping": _("Use the module codes of this course.")},
        )
    before = {"column_mapping": course.column_mapping}
    with transaction.atomic():
        course.column_mapping = dict(mapping)
        save_versioned(course, expected_version=expected_version, fields=["column_mapping"])
        record(
            actor=actor,
            verb="training.course_mapping",
            target=course,
            changes=changes_of(course, before, ["column_mapping"]),
        )
    return course


# Cohorts, trainees, enrolments -----------------------------------------------------------------


def cohort_create(
    *,
    actor: User,
    course: Course,
    code: str,
    title: str,
    target_group: str,
    start: date,
    end: date,
    organiser: Agency,
    language: str = "sr",
) -> Cohort:
    """Open a cohort of a course for a target group and period; needs ``training.edit``."""
    policy.require(actor, EDIT)
    _check_period(start, end)
    _unique(Cohort, code)
    with transaction.atomic():
        cohort = Cohort.objects.create(
            course=course,
            code=code,
            title=title,
            target_group=target_group,
            start=start,
            end=end,
            organiser=organiser,
            language=language,
        )
        record(actor=actor, verb="training.cohort_create", target=cohort)
    return cohort


COHORT_EDITABLE = ("title", "target_group", "start", "end", "organiser", "language")


def cohort_update(*, actor: User, cohort: Cohort, expected_version: int, **values: Any) -> Cohort:
    """Change a cohort's details; refused with StaleRecordError if someone saved it meanwhile.

    Needs ``training.edit``; only the fields of ``COHORT_EDITABLE`` may be given.
    """
    policy.require(actor, EDIT)
    unknown = set(values) - set(COHORT_EDITABLE)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    _check_period(values.get("start", cohort.start), values.get("end", cohort.end))
    fields = list(values)
    before = {
        name: getattr(cohort, getattr(cohort._meta.get_field(name), "attname", name))
        for name in fields
    }
    with transaction.atomic():
        for name, value in values.items():
            setattr(cohort, name, value)
        save_versioned(cohort, expected_version=expected_version, fields=fields)
        record(
            actor=actor,
            verb="training.cohort_update",
            target=cohort,
            changes=changes_of(cohort, before, fields),
        )
    return cohort


def _trainee_errors(first_name: str, last_name: str, email: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not first_name.strip():
        errors["first_name"] = _("Enter the first name.")
    if not last_name.strip():
        errors["last_name"] = _("Enter the last name.")
    try:
        validate_email(email)
    except DjangoValidationError:
        errors["email"] = _("Enter a valid e-mail address.")
    return errors


def trainee_register(
    *,
    actor: User,
    first_name: str,
    last_name: str,
    email: str,
    profession: str,
    sex: str = Sex.UNKNOWN,
    agency: Agency | None = None,
    agency_type: str = "",
) -> Trainee:
    """Register a trainee, or return the one with this e-mail (e-mail is the identity).

    Needs ``training.edit``. An existing trainee is returned unchanged.
    """
    policy.require(actor, EDIT)
    email = email.strip().lower()
    errors = _trainee_errors(first_name, last_name, email)
    if errors:
        raise ValidationFailed(_("The trainee's details are incomplete."), fields=errors)
    existing = Trainee.objects.filter(email=email).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        trainee = Trainee.objects.create(
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email,
            profession=profession,
            sex=sex,
            agency=agency,
            agency_type=agency_type or (agency.type if agency else ""),
        )
        record(actor=actor, verb="training.trainee_register", target=trainee)
    return trainee


def enrolment_create(
    *, actor: User, cohort: Cohort, trainee: Trainee, enrolled_on: date | None = None
) -> Enrolment:
    """Enrol a trainee in a cohort (once); needs ``training.edit``."""
    policy.require(actor, EDIT)
    if Enrolment.objects.filter(cohort=cohort, trainee=trainee).exists():
        raise ConflictError(_("This trainee is already enrolled in this cohort."))
    with transaction.atomic():
        enrolment = Enrolment.objects.create(
            cohort=cohort, trainee=trainee, enrolled_on=enrolled_on or cohort.start
        )
        record(actor=actor, verb="training.enrol", target=enrolment)
    return enrolment


def _refresh_course_completion(enrolment_ids: Iterable[int]) -> int:
    """Set or clear ``completed_on`` for these enrolments; returns how many are complete."""
    ids = sorted(set(enrolment_ids))
    complete = 0
    changed: list[Enrolment] = []
    for start in range(0, len(ids), _LOOKUP_CHUNK):
        chunk = ids[start : start + _LOOKUP_CHUNK]
        module_counts = dict(
            Module.objects.filter(course__cohorts__enrolments__pk__in=chunk)
            .values_list("course_id")
            .annotate(n=Count("id", distinct=True))
            .values_list("course_id", "n")
        )
        rows = (
            Enrolment.objects.filter(pk__in=chunk)
            .annotate(done=Count("completions"), last=Max("completions__completed_on"))
            .values("pk", "done", "last", "completed_on", "cohort__course_id")
        )
        for row in rows:
            finished = row["done"] >= module_counts.get(row["cohort__course_id"], 0) > 0
            target = row["last"] if finished else None
            complete += finished
            if row["completed_on"] != target:
                changed.append(Enrolment(pk=row["pk"], completed_on=target))
    Enrolment.objects.bulk_update(changed, ["completed_on"], batch_size=500)
    return complete


def completions_record(
    *, actor: User, enrolment: Enrolment, completions: Mapping[Module, date]
) -> int:
    """Record that a trainee finished modules (module → date); returns how many were new.

    A module already recorded keeps its first date, so recording again changes nothing. When
    every module of the course is done the enrolment's ``completed_on`` becomes the date of the
    last one. Needs ``training.edit``.
    """
    policy.require(actor, EDIT)
    today = timezone.localdate()
    for module, completed_on in completions.items():
        if module.course_id != enrolment.cohort.course_id:
            raise ValidationFailed(
                _("This module belongs to another course."),
                fields={"module": _("Choose a module of the cohort's course.")},
            )
        if completed_on > today:
            raise ValidationFailed(
                _("A module cannot be completed in the future."),
                fields={"completed_on": _("Enter a date that is not in the future.")},
            )
    with transaction.atomic():
        done = set(enrolment.completions.values_list("module_id", flat=True))
        new = [
            ModuleCompletion(enrolment=enrolment, module=module, completed_on=completed_on)
            for module, completed_on in completions.items()
            if module.pk not in done
        ]
        ModuleCompletion.objects.bulk_create(new)
        if new:
            _refresh_course_completion([enrolment.pk])
            record(
                actor=actor,
                verb="training.module_complete",
                target=enrolment,
                changes={
                    "modules": [None, sorted(c.module.code for c in new)],
                    "completed_on": [None, max(c.completed_on for c in new).isoformat()],
                },
            )
    enrolment.refresh_from_db(fields=["completed_on"])
    return len(new)


def module_complete(
    *, actor: User, enrolment: Enrolment, module: Module, completed_on: date
) -> ModuleCompletion:
    """Record one module as finished (see ``completions_record``); idempotent for the module.

    Needs ``training.edit``.
    """
    completions_record(actor=actor, enrolment=enrolment, completions={module: completed_on})
    return ModuleCompletion.objects.get(enrolment=enrolment, module=module)


def outcome_record(
    *, actor: User, enrolment: Enrolment, kind: str, recorded_on: date
) -> EnrolmentOutcome:
    """Record a follow-up outcome of a trainee (e.g. applied to volunteer); once per kind.

    Needs ``training.edit``.
    """
    policy.require(actor, EDIT)
    with transaction.atomic():
        outcome, created = EnrolmentOutcome.objects.get_or_create(
            enrolment=enrolment, kind=kind, defaults={"recorded_on": recorded_on}
        )
        if created:
            record(
                actor=actor,
                verb="training.outcome_record",
                target=enrolment,
                changes={"outcome": [None, kind]},
            )
    return outcome


# Completion report import ----------------------------------------------------------------------


def completion_import(
    *,
    actor: User,
    cohort: Cohort,
    source: IO[bytes] | bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
) -> ImportResult:
    """Import an e-learning completion report (one row per learner, one column per module).

    Every row is validated first; any problem raises TabularError naming row, column and why, and
    nothing is written. Learners are matched by e-mail; new ones are registered and enrolled.
    A completion already recorded for a learner and module is kept, so re-importing the same file
    changes nothing. The column → module mapping used is saved on the course for the next import.
    Needs ``training.edit``. (The import pipeline's spec, ``training.import_specs``, shares the
    checks and the writing through ``completion_check`` and ``completion_write``.)
    """
    policy.require(actor, EDIT)
    course = cohort.course
    header, rows = read_rows(
        source,
        filename=filename,
        columns=IDENTITY_COLUMNS,
        required=("email",),
        aliases={
            "email_address": "email",
            "e_mail": "email",
            "surname": "last_name",
            "firstname": "first_name",
            "lastname": "last_name",
            "gender": "sex",
        },
        extra="keep",
    )
    saved = dict(course.column_mapping or {})
    saved.update(mapping or {})
    column_modules = match_columns(
        [name for name in header if name and name not in IDENTITY_COLUMNS],
        list(course.modules.values_list("position", "code", "title")),
        saved,
    )
    if not column_modules:
        errors = RowErrors()
        errors.add(1, "", _("No column of the file could be matched to a module of this course."))
        errors.raise_if_any()
    parsed, errors = completion_check(cohort=cohort, rows=rows, column_modules=column_modules)
    errors.raise_if_any()
    with transaction.atomic():
        result = completion_write(actor=actor, cohort=cohort, parsed=parsed, filename=filename)
        if column_modules != course.column_mapping:
            Course.objects.filter(pk=course.pk).update(column_mapping=column_modules)
            course.column_mapping = column_modules
    return result


_ISO_START = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_SHORT_DATETIME = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}),?\s+\d{1,2}:\d{2}$")


def completion_date(text: str) -> date:
    """A completion date as e-learning platforms write it: ISO with or without the time
    (Moodle's "2020-04-03 10:15:00"), Moodle's short form "03/04/20, 10:15" (day first,
    20xx), or any form ``tabular.parse_date`` reads; ValueError otherwise."""
    iso = _ISO_START.match(text)
    if iso:
        try:
            return date.fromisoformat(iso.group(1))
        except ValueError:
            pass
    short = _SHORT_DATETIME.match(text)
    if short:
        day, month, year = (int(part) for part in short.groups())
        try:
            return date(2000 + year, month, day)
        except ValueError:
            pass
    return parse_date(text)


def _split_name(full: str) -> tuple[str, str]:
    """A full name as one column holds it: the last word is the family name; one word is kept
    whole as the given name."""
    words = full.split()
    if len(words) < 2:
        return full.strip(), ""
    return " ".join(words[:-1]), words[-1]


def completion_check(
    *,
    cohort: Cohort,
    rows: Iterable[tuple[int, Mapping[str, str]]],
    column_modules: Mapping[str, str],
    labels: Mapping[str, str] | None = None,
) -> tuple[list[dict[str, Any]], RowErrors]:
    """Validate completion rows (``first_name``, ``last_name`` or ``full_name``, ``email``,
    ``profession``, ``sex`` and one column per module named in ``column_modules``); returns
    the parsed entries and the errors, which name each column by ``labels`` when given."""
    names = labels or {}

    def label(column: str) -> str:
        return names.get(column, column)

    errors = RowErrors()
    # Rows are read once into memory so that existing learners are looked up in a few queries,
    # not one per row.
    all_rows = list(rows)
    emails = sorted({row.get("email", "").strip().lower() for _number, row in all_rows})
    known: dict[str, Trainee] = {}
    for start in range(0, len(emails), _LOOKUP_CHUNK):
        chunk = emails[start : start + _LOOKUP_CHUNK]
        known.update((t.email, t) for t in Trainee.objects.filter(email__in=chunk))
    today = timezone.localdate()
    fallback_profession = default_profession(cohort.target_group)
    parsed: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, row in all_rows:
        email = row.get("email", "").strip().lower()
        entry: dict[str, Any] = {"email": email, "completions": {}, "row": number}
        try:
            validate_email(email)
        except DjangoValidationError:
            errors.add(
                number,
                label("email"),
                _("“%(value)s” is not an e-mail address.") % {"value": row.get("email", "")},
            )
        if email in seen:
            errors.add(
                number,
                label("email"),
                _("This learner is already on row %(row)d.") % {"row": seen[email]},
            )
        seen[email] = number
        first_name = row.get("first_name", "").strip()
        last_name = row.get("last_name", "").strip()
        full_name = row.get("full_name", "").strip()
        if full_name and not first_name and not last_name:
            first_name, last_name = _split_name(full_name)
        if email not in known:
            if not first_name:
                column = "full_name" if "full_name" in row else "first_name"
                errors.add(number, label(column), _("The first name of a new learner is missing."))
            if not last_name and not full_name:
                errors.add(
                    number, label("last_name"), _("The last name of a new learner is missing.")
                )
            profession = row.get("profession", "").strip() or fallback_profession
            if profession not in Profession.values:
                errors.add(
                    number,
                    label("profession"),
                    _("Give the profession of this new learner (one of: %(values)s).")
                    % {"values": ", ".join(str(p.label) for p in Profession)},
                )
            sex = row.get("sex", "").strip().lower() or Sex.UNKNOWN
            if sex not in Sex.values:
                errors.add(
                    number,
                    label("sex"),
                    _("“%(value)s” is not one of: %(values)s.")
                    % {"value": row.get("sex", ""), "values": ", ".join(str(s.label) for s in Sex)},
                )
            entry.update(first_name=first_name, last_name=last_name, profession=profession, sex=sex)
        else:
            entry["trainee"] = known[email]
        for column, module_code in column_modules.items():
            text = row.get(column, "").strip()
            if not text or text == "-":
                continue
            try:
                completed_on = completion_date(text)
            except ValueError as exc:
                errors.add(number, label(column), str(exc))
                continue
            if completed_on > today:
                errors.add(
                    number,
                    label(column),
                    _("The completion date %(date)s is in the future.")
                    % {"date": date_format(completed_on, "DATE_FORMAT")},
                )
            elif completed_on < cohort.start:
                errors.add(
                    number,
                    label(column),
                    _("The completion date %(date)s is before the cohort started (%(start)s).")
                    % {
                        "date": date_format(completed_on, "DATE_FORMAT"),
                        "start": date_format(cohort.start, "DATE_FORMAT"),
                    },
                )
            entry["completions"][module_code] = completed_on
        parsed.append(entry)
    return parsed, errors


def completion_already_done(cohort: Cohort) -> set[tuple[str, str]]:
    """(e-mail, module code) of the completions already recorded in ``cohort``."""
    return set(
        ModuleCompletion.objects.filter(enrolment__cohort=cohort).values_list(
            "enrolment__trainee__email", "module__code"
        )
    )


def completion_write(
    *,
    actor: User,
    cohort: Cohort,
    parsed: Sequence[dict[str, Any]],
    filename: str,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Write checked completion rows (``completion_check``) in one transaction, with one audit
    entry; completions already recorded are kept. Needs ``training.edit``."""
    policy.require(actor, EDIT)
    report = progress or (lambda _done, _total: None)
    modules = {module.code: module for module in cohort.course.modules.all()}
    result = ImportResult(rows=len(parsed))
    total = len(parsed)
    with transaction.atomic():
        newcomers = [
            Trainee(
                first_name=entry["first_name"],
                last_name=entry["last_name"],
                email=entry["email"],
                profession=entry["profession"],
                sex=entry["sex"],
            )
            for entry in parsed
            if "trainee" not in entry
        ]
        Trainee.objects.bulk_create(newcomers, batch_size=_LOOKUP_CHUNK)
        result.learners_created = len(newcomers)
        report(total // 3, total)
        created = {t.email: t for t in newcomers}
        if any(t.pk is None for t in newcomers):  # databases that do not return ids on insert
            created = {}
            new_emails = [t.email for t in newcomers]
            for start in range(0, len(new_emails), _LOOKUP_CHUNK):
                chunk = new_emails[start : start + _LOOKUP_CHUNK]
                created.update((t.email, t) for t in Trainee.objects.filter(email__in=chunk))
        for entry in parsed:
            entry.setdefault("trainee", created.get(entry["email"]))
        enrolments = {e.trainee_id: e for e in Enrolment.objects.filter(cohort=cohort)}
        new_enrolments = [
            Enrolment(cohort=cohort, trainee=entry["trainee"], enrolled_on=cohort.start)
            for entry in parsed
            if entry["trainee"].pk not in enrolments
        ]
        Enrolment.objects.bulk_create(new_enrolments, batch_size=_LOOKUP_CHUNK)
        result.enrolled = len(new_enrolments)
        report(2 * total // 3, total)
        enrolments = {e.trainee_id: e for e in Enrolment.objects.filter(cohort=cohort)}
        already_done = set(
            ModuleCompletion.objects.filter(enrolment__cohort=cohort).values_list(
                "enrolment_id", "module_id"
            )
        )
        to_create: list[ModuleCompletion] = []
        touched: set[int] = set()
        for entry in parsed:
            enrolment = enrolments[entry["trainee"].pk]
            for module_code, completed_on in entry["completions"].items():
                module = modules[module_code]
                if (enrolment.pk, module.pk) in already_done:
                    continue
                to_create.append(
                    ModuleCompletion(enrolment=enrolment, module=module, completed_on=completed_on)
                )
                touched.add(enrolment.pk)
        try:
            ModuleCompletion.objects.bulk_create(to_create, batch_size=2000)
        except IntegrityError:  # a concurrent import of the same file won the race
            raise ConflictError(
                _("Another import of this cohort ran at the same time; import the file again.")
            ) from None
        result.completions_added = len(to_create)
        _refresh_course_completion(touched)
        result.completed_course = Enrolment.objects.filter(
            cohort=cohort, completed_on__isnull=False
        ).count()
        record(
            actor=actor,
            verb="training.completion_import",
            target=cohort,
            purpose=filename[:200],
            changes={
                "rows": [None, result.rows],
                "learners_created": [None, result.learners_created],
                "enrolled": [None, result.enrolled],
                "completions_added": [None, result.completions_added],
            },
        )
        report(total, total)
    return result


# Training events and attendance ----------------------------------------------------------------


def event_create(
    *,
    actor: User,
    code: str,
    title: str,
    kind: str,
    start: date,
    end: date,
    organiser: Agency,
    place: str = "",
    agenda: str = "",
    trainers: str = "",
) -> TrainingEvent:
    """Record a seminar, multi-disciplinary training or online consultation; ``training.edit``."""
    policy.require(actor, EDIT)
    _check_period(start, end)
    _unique(TrainingEvent, code)
    with transaction.atomic():
        event = TrainingEvent.objects.create(
            code=code,
            title=title,
            kind=kind,
            start=start,
            end=end,
            organiser=organiser,
            place=place,
            agenda=agenda,
            trainers=trainers,
        )
        record(actor=actor, verb="training.event_create", target=event)
    return event


def attendance_record(*, actor: User, event: TrainingEvent, trainees: Iterable[Trainee]) -> int:
    """Mark trainees as having attended an event; returns how many were added (idempotent).

    Needs ``training.edit``.
    """
    policy.require(actor, EDIT)
    already = set(event.attendances.values_list("trainee_id", flat=True))
    new = [Attendance(event=event, trainee=t) for t in trainees if t.pk not in already]
    with transaction.atomic():
        Attendance.objects.bulk_create(new)
        if new:
            record(
                actor=actor,
                verb="training.attendance_record",
                target=event,
                changes={"attendees_added": [None, len(new)]},
            )
    return len(new)


# Target populations ----------------------------------------------------------------------------


def population_create(
    *,
    actor: User,
    code: str,
    name: str,
    profession: str,
    qualifying_courses: Iterable[Course] = (),
    qualifying_events: Iterable[TrainingEvent] = (),
    name_sr: str = "",
) -> TargetPopulation:
    """Define a target population and what qualifies as trained for it; ``training.edit``."""
    policy.require(actor, EDIT)
    _unique(TargetPopulation, code)
    with transaction.atomic():
        population = TargetPopulation.objects.create(
            code=code, name=name, name_sr=name_sr.strip(), profession=profession
        )
        population.qualifying_courses.set(list(qualifying_courses))
        population.qualifying_events.set(list(qualifying_events))
        record(actor=actor, verb="training.population_create", target=population)
    return population


def headcount_record(
    *, actor: User, population: TargetPopulation, on: date, headcount: int, source: str = ""
) -> Headcount:
    """Record the population's size on a date (replacing one of the same date); ``training.edit``."""
    policy.require(actor, EDIT)
    if headcount <= 0:
        raise ValidationFailed(
            _("The headcount must be a positive number."),
            fields={"headcount": _("Enter a number greater than zero.")},
        )
    with transaction.atomic():
        row, _created = Headcount.objects.update_or_create(
            population=population, on=on, defaults={"headcount": headcount, "source": source}
        )
        record(
            actor=actor,
            verb="training.headcount_record",
            target=population,
            changes={"on": [None, on.isoformat()], "headcount": [None, headcount]},
        )
    return row


# Needs assessments and curricula ---------------------------------------------------------------


def needs_assessment_create(
    *,
    actor: User,
    code: str,
    topic: str,
    institutions: Iterable[Agency],
    status: str = "planned",
    started_on: date | None = None,
    findings: str = "",
) -> NeedsAssessment:
    """Open a needs assessment with one or more institutions; ``training.edit``."""
    policy.require(actor, EDIT)
    institutions = list(institutions)
    if not institutions:
        raise ValidationFailed(
            _("Name at least one institution."),
            fields={"institutions": _("Choose at least one institution.")},
        )
    _unique(NeedsAssessment, code)
    with transaction.atomic():
        assessment = NeedsAssessment.objects.create(
            code=code, topic=topic, status=status, started_on=started_on, findings=findings
        )
        assessment.institutions.set(institutions)
        record(actor=actor, verb="training.needs_assessment_create", target=assessment)
    return assessment


def needs_assessment_update(
    *,
    actor: User,
    assessment: NeedsAssessment,
    expected_version: int,
    status: str,
    findings: str,
    follow_up_events: Iterable[TrainingEvent] | None = None,
) -> NeedsAssessment:
    """Update status, findings and linked follow-up trainings; StaleRecordError if outdated.

    Needs ``training.edit``.
    """
    policy.require(actor, EDIT)
    fields = ["status", "findings"]
    before = {name: getattr(assessment, name) for name in fields}
    with transaction.atomic():
        assessment.status = status
        assessment.findings = findings
        save_versioned(assessment, expected_version=expected_version, fields=fields)
        changes = changes_of(assessment, before, fields)
        if follow_up_events is not None:
            events = list(follow_up_events)
            assessment.follow_up_events.set(events)
            changes["follow_up_events"] = [None, sorted(e.code for e in events)]
        record(
            actor=actor,
            verb="training.needs_assessment_update",
            target=assessment,
            changes=changes,
        )
    return assessment


def curriculum_create(
    *,
    actor: User,
    code: str,
    topic: str,
    partner: Agency,
    target_group: str,
    status: str = "drafting",
    trainings_start: date | None = None,
) -> Curriculum:
    """Record a curriculum prepared with a partner ministry; ``training.edit``."""
    policy.require(actor, EDIT)
    if partner.type not in {AgencyType.MINISTRY, AgencyType.EDUCATION, AgencyType.HEALTH}:
        raise ValidationFailed(
            _("The partner of a curriculum must be a ministry."),
            fields={"partner": _("Choose a ministry.")},
        )
    _unique(Curriculum, code)
    with transaction.atomic():
        curriculum = Curriculum.objects.create(
            code=code,
            topic=topic,
            partner=partner,
            target_group=target_group,
            status=status,
            trainings_start=trainings_start,
        )
        record(actor=actor, verb="training.curriculum_create", target=curriculum)
    return curriculum


def curriculum_update(
    *,
    actor: User,
    curriculum: Curriculum,
    expected_version: int,
    status: str,
    trainings_start: date | None,
) -> Curriculum:
    """Move a curriculum on (status, start of trainings); StaleRecordError if outdated.

    Needs ``training.edit``.
    """
    policy.require(actor, EDIT)
    update_recorded(
        curriculum,
        actor=actor,
        verb="training.curriculum_update",
        expected_version=expected_version,
        values={"status": status, "trainings_start": trainings_start},
    )
    return curriculum


# Certificates ----------------------------------------------------------------------------------


def certificate_pdf(*, actor: User, enrolment: Enrolment) -> bytes:
    """The PDF certificate of a trainee who completed every module of the course.

    Needs ``training.view``; refused for an unfinished course. Issuing is audited because the
    document carries the trainee's name.
    """
    from opennrm.core.documents import render_pdf

    policy.require(actor, "training.view")
    if enrolment.completed_on is None:
        raise ConflictError(
            _("A certificate is issued only when every module of the course is completed.")
        )
    cohort = enrolment.cohort
    pdf = render_pdf(
        "training/certificate.pdf.html",
        {
            "enrolment": enrolment,
            "trainee": enrolment.trainee,
            "cohort": cohort,
            "course": cohort.course,
            "modules": list(cohort.course.modules.all()),
        },
    )
    record(
        actor=actor,
        verb="training.certificate_issue",
        target=enrolment,
        purpose="certificate of completion",
    )
    return pdf
