"""Every write in monitoring: one function per use case, audited, inside one transaction.

All of them need ``monitoring.edit`` (coordinators and the national co-ordinator), except
``follow_up_complete``, which the follow-up's owner may also do, and ``rendition_render``, which the
background worker runs on behalf of the user who asked for the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import Agency, User
from opennrm.audit.services import record, update_recorded
from opennrm.core.errors import ConflictError, ValidationFailed
from opennrm.core.models import save_versioned
from opennrm.core.tabular import RowErrors, read_rows
from opennrm.monitoring import metrics
from opennrm.monitoring.models import (
    Action,
    Activity,
    ActivityStatus,
    BudgetLine,
    Decision,
    FollowUp,
    Frequency,
    Funder,
    GretaRecommendation,
    Indicator,
    IndicatorValue,
    Meeting,
    ProgressReport,
    RecommendationStatus,
    RenditionStatus,
    ReportFormat,
    ReportLanguage,
    ReportRendition,
    Result,
    Spending,
    SpendingKind,
    Strength,
    Theme,
    Unit,
)

EDIT = "monitoring.edit"
VIEW = "monitoring.view"


def _require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, fields={field: message})
    return value


# --- action and logframe ------------------------------------------------------------------------


def action_create(
    *,
    actor: User,
    code: str,
    title: str,
    starts_on: date,
    ends_on: date,
    budget: Decimal,
    currency: str = "EUR",
    programme: str = "",
    programme_budget: Decimal | None = None,
    objective: str = "",
    beneficiaries: str = "",
    funders: Sequence[tuple[str, Decimal]] = (),
) -> Action:
    """Create an action with its funders; shares must add up to 100%. Needs ``monitoring.edit``."""
    policy.require(actor, EDIT)
    title = _require_text(title, "title", _("Give the action a title."))
    if ends_on <= starts_on:
        message = _("The action must end after it starts.")
        raise ValidationFailed(message, fields={"ends_on": message})
    if budget <= 0:
        message = _("The budget must be a positive amount.")
        raise ValidationFailed(message, fields={"budget": message})
    if funders and sum((share for _name, share in funders), Decimal(0)) != 100:
        message = _("The funders' shares must add up to 100%.")
        raise ValidationFailed(message, fields={"funders": message})
    if Action.objects.filter(code=code).exists():
        message = _("An action with this code already exists.")
        raise ValidationFailed(message, fields={"code": message})
    with transaction.atomic():
        action = Action.objects.create(
            code=code,
            title=title,
            starts_on=starts_on,
            ends_on=ends_on,
            budget=budget,
            currency=currency.upper(),
            programme=programme,
            programme_budget=programme_budget,
            objective=objective,
            beneficiaries=beneficiaries,
        )
        for name, share in funders:
            Funder.objects.create(action=action, name=name, share=share)
        record(actor=actor, verb="monitoring.action.create", target=action)
    return action


def result_create(
    *, actor: User, action: Action, number: int, title: str, title_sr: str = ""
) -> Result:
    """Add an expected result to the action's logframe. Needs ``monitoring.edit``."""
    policy.require(actor, EDIT)
    title = _require_text(title, "title", _("Describe the expected result."))
    if action.results.filter(number=number).exists():
        message = _("This action already has a result with this number.")
        raise ValidationFailed(message, fields={"number": message})
    with transaction.atomic():
        result = Result.objects.create(
            action=action, number=number, title=title, title_sr=title_sr.strip()
        )
        record(actor=actor, verb="monitoring.result.create", target=result)
    return result


def indicator_create(
    *,
    actor: User,
    result: Result,
    code: str,
    definition: str,
    unit: str,
    target: Decimal,
    baseline: Decimal = Decimal(0),
    frequency: str = Frequency.QUARTERLY,
    metric: str = "",
    definition_sr: str = "",
) -> Indicator:
    """Add an indicator to a result; ``metric`` must name a registered live metric or be empty.

    Needs ``monitoring.edit``.
    """
    policy.require(actor, EDIT)
    definition = _require_text(definition, "definition", _("Define what the indicator measures."))
    if unit not in Unit.values:
        message = _("Choose a unit from the list.")
        raise ValidationFailed(message, fields={"unit": message})
    if metric and metric not in metrics.REGISTRY:
        message = _("There is no live metric named “%(name)s”.") % {"name": metric}
        raise ValidationFailed(message, fields={"metric": message})
    if result.indicators.filter(code=code).exists():
        message = _("This result already has an indicator with this code.")
        raise ValidationFailed(message, fields={"code": message})
    with transaction.atomic():
        indicator = Indicator.objects.create(
            result=result,
            code=code,
            definition=definition,
            unit=unit,
            baseline=baseline,
            target=target,
            frequency=frequency,
            metric=metric,
            definition_sr=definition_sr.strip(),
        )
        record(actor=actor, verb="monitoring.indicator.create", target=indicator)
    return indicator


def indicator_value_record(
    *,
    actor: User,
    indicator: Indicator,
    measured_on: date,
    value: Decimal,
    source: str,
    evidence: UploadedFile[bytes] | ContentFile[bytes] | None = None,
) -> IndicatorValue:
    """Enter a measured value of a manual indicator, with its source and optional evidence file.

    Live indicators are refused: their figures come from the system. Needs ``monitoring.edit``.
    """
    policy.require(actor, EDIT)
    if indicator.metric:
        raise ConflictError(
            _("This indicator is computed live from the system; its values cannot be typed in.")
        )
    source = _require_text(source, "source", _("Say where this figure comes from."))
    with transaction.atomic():
        entry = IndicatorValue(
            indicator=indicator,
            measured_on=measured_on,
            value=value,
            source=source,
            recorded_by=actor,
        )
        if evidence is not None:
            entry.evidence.save(evidence.name or "evidence", evidence, save=False)
        entry.save()
        record(
            actor=actor,
            verb="monitoring.indicator_value.create",
            target=indicator,
            changes={"value": [None, str(value)], "measured_on": [None, measured_on.isoformat()]},
        )
    return entry


def activity_create(
    *,
    actor: User,
    result: Result,
    code: str,
    title: str,
    status: str = ActivityStatus.PLANNED,
    starts_on: date | None = None,
    ends_on: date | None = None,
    responsible: str = "",
    outputs: str = "",
) -> Activity:
    """Add an activity under a result. Needs ``monitoring.edit``."""
    policy.require(actor, EDIT)
    title = _require_text(title, "title", _("Give the activity a title."))
    _check_activity(status, starts_on, ends_on)
    if result.activities.filter(code=code).exists():
        message = _("This result already has an activity with this code.")
        raise ValidationFailed(message, fields={"code": message})
    with transaction.atomic():
        activity = Activity.objects.create(
            result=result,
            code=code,
            title=title,
            status=status,
            starts_on=starts_on,
            ends_on=ends_on,
            responsible=responsible,
            outputs=outputs,
        )
        record(actor=actor, verb="monitoring.activity.create", target=activity)
    return activity


def _check_activity(status: str, starts_on: date | None, ends_on: date | None) -> None:
    if status not in ActivityStatus.values:
        message = _("Choose a status from the list.")
        raise ValidationFailed(message, fields={"status": message})
    if starts_on and ends_on and ends_on < starts_on:
        message = _("The activity cannot end before it starts.")
        raise ValidationFailed(message, fields={"ends_on": message})


# --- budget -------------------------------------------------------------------------------------


def budget_line_create(
    *,
    actor: User,
    action: Action,
    code: str,
    title: str,
    amount: Decimal,
    result: Result | None = None,
) -> BudgetLine:
    """Add a budget line; all lines together may not exceed the action's budget.

    Needs ``monitoring.edit``.
    """
    policy.require(actor, EDIT)
    title = _require_text(title, "title", _("Give the budget line a title."))
    if amount <= 0:
        message = _("The amount must be positive.")
        raise ValidationFailed(message, fields={"amount": message})
    if result is not None and result.action_id != action.pk:
        message = _("The result belongs to another action.")
        raise ValidationFailed(message, fields={"result": message})
    with transaction.atomic():
        # Lock the action row so two concurrent additions cannot both pass the ceiling check.
        Action.objects.select_for_update().get(pk=action.pk)
        allocated = action.budget_lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        if allocated + amount > action.budget:
            message = _(
                "The budget lines would exceed the action's budget of %(budget)s %(currency)s."
            ) % {"budget": metrics.format_number(action.budget), "currency": action.currency}
            raise ValidationFailed(message, fields={"amount": message})
        if action.budget_lines.filter(code=code).exists():
            message = _("This action already has a budget line with this code.")
            raise ValidationFailed(message, fields={"code": message})
        line = BudgetLine.objects.create(
            action=action, result=result, code=code, title=title, amount=amount
        )
        record(actor=actor, verb="monitoring.budget_line.create", target=line)
    return line


def spending_record(
    *,
    actor: User,
    budget_line: BudgetLine,
    kind: str,
    amount: Decimal,
    booked_on: date,
    description: str,
) -> Spending:
    """Book a commitment or an expenditure against a budget line. Needs ``monitoring.edit``.

    Expenditure may not exceed the line: an overspend needs a budget revision first.
    """
    policy.require(actor, EDIT)
    if kind not in SpendingKind.values:
        message = _("Choose commitment or expenditure.")
        raise ValidationFailed(message, fields={"kind": message})
    if amount <= 0:
        message = _("The amount must be positive.")
        raise ValidationFailed(message, fields={"amount": message})
    description = _require_text(description, "description", _("Describe what the money is for."))
    with transaction.atomic():
        BudgetLine.objects.select_for_update().get(pk=budget_line.pk)
        booked = budget_line.spendings.filter(kind=kind).aggregate(total=Sum("amount"))["total"]
        if (booked or Decimal(0)) + amount > budget_line.amount:
            message = _("This would exceed the budget line (%(amount)s available).") % {
                "amount": metrics.format_number(budget_line.amount - (booked or Decimal(0)))
            }
            raise ValidationFailed(message, fields={"amount": message})
        spending = Spending.objects.create(
            budget_line=budget_line,
            kind=kind,
            amount=amount,
            booked_on=booked_on,
            description=description,
            recorded_by=actor,
        )
        record(
            actor=actor,
            verb=f"monitoring.{kind}.create",
            target=spending,
            changes={"amount": [None, str(amount)]},
        )
    return spending


# --- GRETA recommendations ----------------------------------------------------------------------


@dataclass(frozen=True)
class RecommendationData:
    round: int
    report: str
    paragraph: str
    text: str
    strength: str
    theme: str
    status: str = RecommendationStatus.NOT_STARTED
    evidence: str = ""
    note: str = ""
    responsible: tuple[Agency, ...] = ()


def _check_recommendation(data: RecommendationData, add: Callable[[str, str], object]) -> None:
    if data.round < 1:
        add("round", _("The evaluation round must be a whole number from 1."))
    if not data.report.strip():
        add("report", _("Name the GRETA report."))
    if not data.paragraph.strip():
        add("paragraph", _("Give the paragraph of the report."))
    if not data.text.strip():
        add("text", _("Give the text of the recommendation."))
    if data.strength not in Strength.values:
        add("strength", _("The strength must be urges, considers or invites."))
    if data.theme not in Theme.values:
        add("theme", _("Choose a theme from the list."))
    if data.status not in RecommendationStatus.values:
        add("status", _("Choose a status from the list."))


def recommendation_create(
    *,
    actor: User,
    data: RecommendationData,
    activities: Iterable[Activity] = (),
    indicators: Iterable[Indicator] = (),
) -> GretaRecommendation:
    """Register a GRETA recommendation. Needs ``monitoring.edit``."""
    policy.require(actor, EDIT)
    errors: dict[str, str] = {}
    _check_recommendation(data, errors.setdefault)
    if GretaRecommendation.objects.filter(report=data.report, paragraph=data.paragraph).exists():
        errors.setdefault(
            "paragraph", _("This paragraph of this report is already in the register.")
        )
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    with transaction.atomic():
        recommendation = _save_recommendation(GretaRecommendation(), data)
        recommendation.activities.set(list(activities))
        recommendation.indicators.set(list(indicators))
        record(actor=actor, verb="monitoring.recommendation.create", target=recommendation)
    return recommendation


def _save_recommendation(
    recommendation: GretaRecommendation, data: RecommendationData
) -> GretaRecommendation:
    for name in ("round", "report", "paragraph", "text", "strength", "theme", "status"):
        setattr(recommendation, name, getattr(data, name))
    recommendation.evidence, recommendation.note = data.evidence, data.note
    recommendation.save()
    recommendation.responsible.set(list(data.responsible))
    return recommendation


def recommendation_update(
    *,
    actor: User,
    recommendation: GretaRecommendation,
    expected_version: int,
    status: str,
    evidence: str,
) -> GretaRecommendation:
    """Change a recommendation's implementation status and evidence; stale saves are refused.

    Needs ``monitoring.edit``.
    """
    policy.require(actor, EDIT)
    if status not in RecommendationStatus.values:
        message = _("Choose a status from the list.")
        raise ValidationFailed(message, fields={"status": message})
    update_recorded(
        recommendation,
        actor=actor,
        verb="monitoring.recommendation.update",
        expected_version=expected_version,
        values={"status": status, "evidence": evidence.strip()},
    )
    return recommendation


IMPORT_COLUMNS = (
    "round",
    "report",
    "paragraph",
    "text",
    "strength",
    "theme",
    "responsible",
    "status",
    "evidence",
    "note",
)
IMPORT_REQUIRED = ("round", "report", "paragraph", "text", "strength", "theme")


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int = 0


def _choice(value: str, choices: Any) -> str:
    """Accept a stored value or its English label, any case ("Partly implemented" → partly)."""
    key = value.strip().lower().replace(" ", "_")
    if key in choices.values:
        return str(key)
    for stored, label in choices.choices:
        if str(label).lower() == value.strip().lower():
            return str(stored)
    return value.strip()


def recommendations_import(
    *, actor: User, source: IO[bytes] | bytes, filename: str
) -> ImportSummary:
    """Import GRETA recommendations from CSV/XLSX: every row is validated, then all or nothing.

    A row whose report and paragraph are already registered updates that recommendation. Agencies
    in ``responsible`` are named by short name, separated by semicolons. Raises TabularError naming
    every bad row. Needs ``monitoring.edit``.
    """
    policy.require(actor, EDIT)
    _header, rows = read_rows(
        source,
        filename=filename,
        columns=IMPORT_COLUMNS,
        required=IMPORT_REQUIRED,
        aliases={"paragraph_no": "paragraph", "verb": "strength", "institutions": "responsible"},
    )
    agencies = {a.short_name.lower(): a for a in Agency.objects.exclude(short_name="")}
    errors = RowErrors()
    parsed: list[RecommendationData] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows:
        try:
            round_number = int(row.get("round", ""))
        except ValueError:
            round_number = 0
        responsible: list[Agency] = []
        for name in filter(None, (n.strip() for n in row.get("responsible", "").split(";"))):
            agency = agencies.get(name.lower())
            if agency is None:
                errors.add(
                    number,
                    "responsible",
                    _("No agency has the short name “%(name)s”.") % {"name": name},
                )
            else:
                responsible.append(agency)
        data = RecommendationData(
            round=round_number,
            report=row.get("report", ""),
            paragraph=row.get("paragraph", ""),
            text=row.get("text", ""),
            strength=_choice(row.get("strength", ""), Strength),
            theme=_choice(row.get("theme", ""), Theme),
            status=_choice(row.get("status", "") or "not_started", RecommendationStatus),
            evidence=row.get("evidence", ""),
            note=row.get("note", ""),
            responsible=tuple(responsible),
        )

        def add_error(column: str, message: str, row: int = number) -> None:
            errors.add(row, column, message)

        _check_recommendation(data, add_error)
        key = (data.report.strip(), data.paragraph.strip())
        if key in seen:
            errors.add(
                number,
                "paragraph",
                _("The same paragraph already appears in row %(row)d.") % {"row": seen[key]},
            )
        seen[key] = number
        parsed.append(data)
    if not parsed and not errors:
        errors.add(2, "", _("The file has no recommendations."))
    errors.raise_if_any()
    created = updated = unchanged = 0
    with transaction.atomic():
        for data in parsed:
            existing = GretaRecommendation.objects.filter(
                report=data.report.strip(), paragraph=data.paragraph.strip()
            ).first()
            if existing is None:
                _save_recommendation(GretaRecommendation(), data)
                created += 1
            elif _same_recommendation(existing, data):
                unchanged += 1  # re-importing the same file changes nothing
            else:
                old_status = existing.status
                _save_recommendation(existing, data)
                GretaRecommendation.objects.filter(pk=existing.pk).update(
                    version=existing.version + 1
                )
                if old_status != existing.status:
                    # The status history read by period-true reports (metrics) is this trail.
                    record(
                        actor=actor,
                        verb="monitoring.recommendation.update",
                        target=existing,
                        changes={"status": [old_status, existing.status]},
                    )
                updated += 1
        record(
            actor=actor,
            verb="monitoring.recommendation.import",
            target_type="monitoring.gretarecommendation",
            target_label=filename[:200],
            changes={"created": [None, created], "updated": [None, updated]},
        )
    return ImportSummary(created=created, updated=updated, unchanged=unchanged)


def _same_recommendation(existing: GretaRecommendation, data: RecommendationData) -> bool:
    fields = ("round", "report", "paragraph", "text", "strength", "theme", "status", "evidence")
    return all(getattr(existing, name) == getattr(data, name) for name in fields) and (
        existing.note == data.note
        and {a.pk for a in existing.responsible.all()} == {a.pk for a in data.responsible}
    )


# --- Steering Committee -------------------------------------------------------------------------


def meeting_create(
    *,
    actor: User,
    action: Action,
    held_on: date,
    place: str,
    title: str,
    participant_agencies: Iterable[Agency] = (),
    participants: str = "",
    agenda: str = "",
    minutes: str = "",
) -> Meeting:
    """Record a Steering Committee meeting. Needs ``monitoring.edit``."""
    policy.require(actor, EDIT)
    place = _require_text(place, "place", _("Say where the meeting took place."))
    title = _require_text(title, "title", _("Give the meeting a title."))
    with transaction.atomic():
        meeting = Meeting.objects.create(
            action=action,
            held_on=held_on,
            place=place,
            title=title,
            participants=participants,
            agenda=agenda,
            minutes=minutes,
        )
        meeting.participant_agencies.set(list(participant_agencies))
        record(actor=actor, verb="monitoring.meeting.create", target=meeting)
    return meeting


def decision_add(*, actor: User, meeting: Meeting, text: str) -> Decision:
    """Add the next numbered decision to a meeting. Needs ``monitoring.edit``."""
    policy.require(actor, EDIT)
    text = _require_text(text, "text", _("Write the decision."))
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        number = (meeting.decisions.aggregate(n=Max("number"))["n"] or 0) + 1
        decision = Decision.objects.create(meeting=meeting, number=number, text=text)
        record(actor=actor, verb="monitoring.decision.create", target=decision)
    return decision


def follow_up_create(
    *, actor: User, meeting: Meeting, text: str, owner: User, due_on: date
) -> FollowUp:
    """Assign a follow-up action from a meeting to an owner who can see monitoring records.

    The owner sees it on their home page until it is done. Needs ``monitoring.edit``.
    """
    policy.require(actor, EDIT)
    text = _require_text(text, "text", _("Describe the follow-up action."))
    if not policy.can(owner, VIEW):
        message = _("The owner must be someone who can see the monitoring records.")
        raise ValidationFailed(message, fields={"owner": message})
    with transaction.atomic():
        follow_up = FollowUp.objects.create(meeting=meeting, text=text, owner=owner, due_on=due_on)
        record(
            actor=actor,
            verb="monitoring.follow_up.create",
            target=follow_up,
            changes={"owner": [None, owner.username], "due_on": [None, due_on.isoformat()]},
        )
    return follow_up


def follow_up_complete(*, actor: User, follow_up: FollowUp, expected_version: int) -> FollowUp:
    """Mark a follow-up done; its owner or a ``monitoring.edit`` holder may do it."""
    if follow_up.owner_id != actor.pk:
        policy.require(actor, EDIT)
    else:
        policy.require(actor, VIEW)
    if follow_up.done_at is not None:
        raise ConflictError(_("This follow-up action is already done."))
    follow_up.done_at = timezone.now()
    with transaction.atomic():
        save_versioned(follow_up, expected_version=expected_version, fields=["done_at"])
        record(actor=actor, verb="monitoring.follow_up.complete", target=follow_up)
    return follow_up


# --- progress reports ---------------------------------------------------------------------------


def report_create(
    *,
    actor: User,
    action: Action,
    period_start: date,
    period_end: date,
    title: str,
    summary: str = "",
    challenges: str = "",
    next_steps: str = "",
) -> ProgressReport:
    """Start a progress report for a period; the narrative can be edited before generating.

    Needs ``monitoring.edit``.
    """
    policy.require(actor, EDIT)
    title = _require_text(title, "title", _("Give the report a title."))
    if period_end < period_start:
        message = _("The period must end on or after its first day.")
        raise ValidationFailed(message, fields={"period_end": message})
    with transaction.atomic():
        report = ProgressReport.objects.create(
            action=action,
            period_start=period_start,
            period_end=period_end,
            title=title,
            summary=summary,
            challenges=challenges,
            next_steps=next_steps,
            created_by=actor,
        )
        record(actor=actor, verb="monitoring.report.create", target=report)
    return report


def report_update(
    *,
    actor: User,
    report: ProgressReport,
    expected_version: int,
    title: str,
    summary: str,
    challenges: str,
    next_steps: str,
) -> ProgressReport:
    """Edit a report's narrative; a stale save is refused (409). Needs ``monitoring.edit``."""
    policy.require(actor, EDIT)
    title = _require_text(title, "title", _("Give the report a title."))
    values = {
        "title": title,
        "summary": summary,
        "challenges": challenges,
        "next_steps": next_steps,
    }
    update_recorded(
        report,
        actor=actor,
        verb="monitoring.report.update",
        expected_version=expected_version,
        values=values,
    )
    return report


def rendition_request(
    *, actor: User, report: ProgressReport, format: str, language: str
) -> ReportRendition:
    """Queue the generation of one file of a report; the worker renders it after commit.

    Needs ``monitoring.edit``.
    """
    from opennrm.monitoring.tasks import render_report

    policy.require(actor, EDIT)
    if format not in ReportFormat.values:
        message = _("Choose HTML, DOCX or PDF.")
        raise ValidationFailed(message, fields={"format": message})
    if language not in ReportLanguage.values:
        message = _("Choose English, Serbian (Cyrillic) or Serbian (Latin).")
        raise ValidationFailed(message, fields={"language": message})
    with transaction.atomic():
        rendition = ReportRendition.objects.create(
            report=report, format=format, language=language, requested_by=actor
        )
        record(
            actor=actor,
            verb="monitoring.report.generate",
            target=report,
            changes={"format": [None, format], "language": [None, language]},
        )
        rendition_id = rendition.pk
        transaction.on_commit(lambda: render_report.enqueue(rendition_id))
    return rendition


def rendition_render(*, rendition_id: int) -> ReportRendition:
    """Render a queued file with the figures of now, as seen by the user who asked for it.

    Progress is saved as it goes so the page polling it can show it; a failure is recorded on the
    rendition (and re-raised for the worker's log) rather than leaving it "running" forever.
    """
    from opennrm.monitoring.reports import render

    rendition = ReportRendition.objects.select_related("report", "requested_by").get(
        pk=rendition_id
    )

    def progress(percent: int) -> None:
        ReportRendition.save_progress(rendition.pk, percent)

    progress(5)
    try:
        content, extension = render(
            report=rendition.report,
            actor=rendition.requested_by,
            format=rendition.format,
            language=rendition.language,
            progress=progress,
        )
    except Exception as exc:
        ReportRendition.objects.filter(pk=rendition.pk).update(
            status=RenditionStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    name = (
        f"progress-report-{rendition.report.period_start.isoformat()}-"
        f"{rendition.report.period_end.isoformat()}-{rendition.language}.{extension}"
    )
    with transaction.atomic():
        rendition.file.save(name, ContentFile(content), save=False)
        rendition.status, rendition.progress = RenditionStatus.DONE, 100
        rendition.finished_at = timezone.now()
        rendition.save(update_fields=["file", "status", "progress", "finished_at"])
        record(actor=rendition.requested_by, verb="monitoring.report.rendered", target=rendition)
    return rendition
