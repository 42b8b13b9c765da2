"""The action's logframe, budget, GRETA recommendations, Steering Committee meetings and reports.

Nothing here is about a person: monitoring holds aggregates and the action's own records, so no
field is encrypted. Live indicator values are not stored — they are computed from the metric
registry (``monitoring.metrics``) whenever a page, the API or a report reads them.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.core.fields import DOCUMENT_TEXT, LONG_TEXT, SHORT_TEXT, BoundedTextField
from opennrm.core.i18n import localized
from opennrm.core.models import JobStatus, TimeStampedModel, VersionedModel, WorkerFile


class Action(VersionedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    programme = models.CharField(_("programme"), max_length=300, blank=True)
    objective = BoundedTextField(_("objective"), blank=True, max_length=LONG_TEXT)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    programme_budget = models.DecimalField(
        _("programme budget"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    beneficiaries = BoundedTextField(_("beneficiaries"), blank=True, max_length=LONG_TEXT)

    class Meta:
        verbose_name = _("action")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="action_period_valid"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_label(self) -> str:
        return f"action {self.code}"

    def elapsed_share(self, on: date) -> Decimal:
        """Share of the action's period elapsed on ``on`` (0–1), for burn rate and traffic lights."""
        total = (self.ends_on - self.starts_on).days
        done = min(max((on - self.starts_on).days, 0), total)
        return Decimal(done) / Decimal(total)


class Funder(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="funders")
    name = models.CharField(_("funder"), max_length=200)
    share = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["-share", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.share}%"


class Result(VersionedModel):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="results")
    number = models.PositiveSmallIntegerField(_("number"))
    title = BoundedTextField(_("expected result"), max_length=SHORT_TEXT)
    title_sr = BoundedTextField(
        _("expected result (Serbian Cyrillic)"), max_length=SHORT_TEXT, blank=True
    )

    class Meta:
        verbose_name = _("expected result")
        ordering = ["action", "number"]
        constraints = [
            models.UniqueConstraint(fields=["action", "number"], name="result_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.display_title}"

    @property
    def display_title(self) -> str:
        return localized(self.title, self.title_sr)

    @property
    def audit_label(self) -> str:
        return f"result {self.action_id}/{self.number}"


class Unit(models.TextChoices):
    PERCENT = "percent", _("percent")
    COUNT = "count", _("number")
    PEOPLE = "people", _("people")
    EUR = "eur", _("euro")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")
    SIX_MONTHLY = "six_monthly", _("every six months")
    YEARLY = "yearly", _("yearly")


class Indicator(VersionedModel):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=20)
    definition = BoundedTextField(_("definition"), max_length=LONG_TEXT)
    definition_sr = BoundedTextField(
        _("definition (Serbian Cyrillic)"), max_length=LONG_TEXT, blank=True
    )
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, default=0)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    frequency = models.CharField(
        _("frequency"), max_length=20, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    # Empty: values are entered by hand. Otherwise the name of a metric in monitoring.metrics.
    metric = models.CharField(_("live metric"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("indicator")
        ordering = ["result__number", "code"]
        constraints = [
            models.UniqueConstraint(fields=["result", "code"], name="indicator_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_definition}"

    @property
    def display_definition(self) -> str:
        return localized(self.definition, self.definition_sr)

    @property
    def audit_label(self) -> str:
        return f"indicator {self.code}"


class IndicatorValue(TimeStampedModel):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    measured_on = models.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    source = models.CharField(_("source"), max_length=300)
    evidence = models.FileField(_("evidence"), upload_to="monitoring/evidence/%Y/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["indicator", "measured_on", "id"]

    @property
    def audit_label(self) -> str:
        return f"indicator value {self.pk}"


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    POSTPONED = "postponed", _("postponed")
    CANCELLED = "cancelled", _("cancelled")


class Activity(VersionedModel):
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="activities")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(
        _("status"), max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)
    outputs = BoundedTextField(_("outputs"), blank=True, max_length=LONG_TEXT)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["result__number", "code"]
        constraints = [
            models.UniqueConstraint(fields=["result", "code"], name="activity_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def audit_label(self) -> str:
        return f"activity {self.code}"


class BudgetLine(VersionedModel):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="budget_lines")
    result = models.ForeignKey(
        Result, on_delete=models.PROTECT, related_name="budget_lines", null=True, blank=True
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("budget line")
        ordering = ["action", "code"]
        constraints = [
            models.UniqueConstraint(fields=["action", "code"], name="budget_line_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def audit_label(self) -> str:
        return f"budget line {self.code}"


class SpendingKind(models.TextChoices):
    COMMITMENT = "commitment", _("commitment")
    EXPENDITURE = "expenditure", _("expenditure")


class Spending(TimeStampedModel):
    """A commitment (contract signed) or an expenditure (paid) against a budget line."""

    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="spendings")
    kind = models.CharField(_("kind"), max_length=20, choices=SpendingKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    booked_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["booked_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="spending_positive")
        ]

    @property
    def audit_label(self) -> str:
        return f"{self.kind} {self.pk}"


class Strength(models.TextChoices):
    URGES = "urges", _("urges")
    CONSIDERS = "considers", _("considers")
    INVITES = "invites", _("invites")


class Theme(models.TextChoices):
    IDENTIFICATION = "identification", _("identification")
    ASSISTANCE = "assistance", _("assistance")
    CHILD_VICTIMS = "child_victims", _("child victims")
    LABOUR_EXPLOITATION = "labour_exploitation", _("labour exploitation")
    ACCESS_TO_JUSTICE = "access_to_justice", _("access to justice")
    COMPENSATION = "compensation", _("compensation")
    PREVENTION = "prevention", _("prevention")
    DATA_COLLECTION = "data_collection", _("data collection")


class RecommendationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    PARTLY = "partly", _("partly implemented")
    FULLY = "fully", _("fully implemented")


class GretaRecommendation(VersionedModel):
    round = models.PositiveSmallIntegerField(_("evaluation round"))
    report = models.CharField(_("report"), max_length=200)
    paragraph = models.CharField(_("paragraph"), max_length=20)
    text = BoundedTextField(_("text"), max_length=LONG_TEXT)
    strength = models.CharField(_("strength"), max_length=20, choices=Strength.choices)
    theme = models.CharField(_("theme"), max_length=30, choices=Theme.choices)
    responsible = models.ManyToManyField(
        "accounts.Agency", related_name="greta_recommendations", blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.NOT_STARTED,
    )
    evidence = BoundedTextField(_("evidence"), blank=True, max_length=LONG_TEXT)
    note = models.CharField(_("note"), max_length=200, blank=True)
    activities = models.ManyToManyField(Activity, related_name="recommendations", blank=True)
    indicators = models.ManyToManyField(Indicator, related_name="recommendations", blank=True)

    class Meta:
        verbose_name = _("GRETA recommendation")
        ordering = ["round", "report", "paragraph"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "paragraph"], name="recommendation_paragraph_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} §{self.paragraph}"

    @property
    def audit_label(self) -> str:
        return f"GRETA recommendation {self.report} §{self.paragraph}"


class Meeting(VersionedModel):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    participant_agencies = models.ManyToManyField(
        "accounts.Agency", related_name="steering_meetings", blank=True
    )
    participants = BoundedTextField(_("participants (people)"), blank=True, max_length=LONG_TEXT)
    agenda = BoundedTextField(_("agenda"), blank=True, max_length=LONG_TEXT)
    minutes = BoundedTextField(_("minutes"), blank=True, max_length=DOCUMENT_TEXT)

    class Meta:
        verbose_name = _("Steering Committee meeting")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on.isoformat()})"

    @property
    def audit_label(self) -> str:
        return f"meeting {self.held_on.isoformat()}"


class Decision(TimeStampedModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    number = models.PositiveSmallIntegerField(_("number"))
    text = BoundedTextField(_("decision"), max_length=LONG_TEXT)

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="decision_number_unique")
        ]

    @property
    def audit_label(self) -> str:
        return f"decision {self.meeting_id}/{self.number}"


class FollowUp(VersionedModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="follow_ups")
    text = BoundedTextField(_("follow-up action"), max_length=LONG_TEXT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="monitoring_follow_ups"
    )
    due_on = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up action")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "done_at"])]

    @property
    def audit_label(self) -> str:
        return f"follow-up {self.pk}"

    def is_overdue(self, today: date | None = None) -> bool:
        return self.done_at is None and self.due_on < (today or timezone.localdate())


class ProgressReport(VersionedModel):
    """A report for a period: the narrative the team edits; renditions are generated from it."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reports")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    title = models.CharField(_("title"), max_length=300)
    summary = BoundedTextField(_("summary"), blank=True, max_length=LONG_TEXT)
    challenges = BoundedTextField(_("challenges and mitigation"), blank=True, max_length=LONG_TEXT)
    next_steps = BoundedTextField(_("next steps"), blank=True, max_length=LONG_TEXT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("progress report")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_period_valid",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_label(self) -> str:
        return f"progress report {self.pk}"


class ReportFormat(models.TextChoices):
    HTML = "html", "HTML"
    DOCX = "docx", "DOCX"
    PDF = "pdf", "PDF"


class ReportLanguage(models.TextChoices):
    EN = "en", _("English")
    SR = "sr", _("Serbian (Cyrillic)")
    SR_LATN = "sr-latn", _("Serbian (Latin)")


RenditionStatus = JobStatus


class ReportRendition(WorkerFile):
    """One generated file of a report (format × language), rendered by the background worker."""

    # A report renders in seconds: a file still queued after an hour, or rendering with no
    # progress for ten minutes, was lost with a worker that stopped or was restarted.
    lost_after: ClassVar[timedelta | None] = timedelta(hours=1)
    stalled_after: ClassVar[timedelta | None] = timedelta(minutes=10)

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="renditions")
    format = models.CharField(_("format"), max_length=10, choices=ReportFormat.choices)
    language = models.CharField(_("language"), max_length=10, choices=ReportLanguage.choices)
    file = models.FileField(upload_to="monitoring/reports/%Y/", blank=True)

    @property
    def audit_label(self) -> str:
        return f"report rendition {self.pk}"

    @property
    def problem(self) -> str:
        """Why the file was not made, in the words shown on its page and in the API: that it was
        lost, or to try again. The error recorded is a crash's text, for the worker's log only."""
        if self.lost:
            return super().problem
        if self.status == JobStatus.FAILED:
            return str(
                _(
                    "The report could not be generated. Try again; if it fails again, tell the "
                    "administrator."
                )
            )
        return ""
