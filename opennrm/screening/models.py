"""Indicator catalogues (versioned data) and screening interviews.

A catalogue version is immutable once imported: a screening points at the versions it used and
keeps the result computed at submission, so re-importing a list never changes an old result.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opennrm.core.fields import LONG_TEXT, SHORT_TEXT, BoundedTextField, EncryptedTextField
from opennrm.core.models import VersionedModel
from opennrm.core.translit import to_latin


class ListName(models.TextChoices):
    ADULT_LABOUR = "adult_labour", _("Adults — labour exploitation")
    ADULT_SEXUAL = "adult_sexual", _("Adults — sexual exploitation")
    CHILD_LABOUR = "child_labour", _("Children — labour exploitation")
    CHILD_SEXUAL = "child_sexual", _("Children — sexual exploitation")


class Dimension(models.TextChoices):
    DECEPTIVE_RECRUITMENT = "deceptive_recruitment", _("Deceptive recruitment")
    COERCIVE_RECRUITMENT = "coercive_recruitment", _("Coercive recruitment")
    RECRUITMENT_ABUSE_OF_VULNERABILITY = (
        "recruitment_abuse_of_vulnerability",
        _("Recruitment by abuse of vulnerability"),
    )
    EXPLOITATION = "exploitation", _("Exploitation")
    COERCION_AT_DESTINATION = "coercion_at_destination", _("Coercion at destination")
    ABUSE_OF_VULNERABILITY_AT_DESTINATION = (
        "abuse_of_vulnerability_at_destination",
        _("Abuse of vulnerability at destination"),
    )


class Strength(models.TextChoices):
    STRONG = "strong", _("Strong")
    MEDIUM = "medium", _("Medium")
    WEAK = "weak", _("Weak")


class Exploitation(models.TextChoices):
    LABOUR = "labour", _("Labour exploitation")
    SEXUAL = "sexual", _("Sexual exploitation")


class AgeGroup(models.TextChoices):
    ADULT = "adult", _("Adult (18 or over)")
    CHILD = "child", _("Child (under 18)")
    # Convention Art. 10(3): age uncertain and reasons to believe a child → treated as a child.
    PRESUMED_CHILD = "presumed_child", _("Presumed child (age uncertain)")


class Answer(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    UNKNOWN = "unknown", _("Not known")


class Outcome(models.TextChoices):
    INDICATORS_OF_TRAFFICKING = "indicators_of_trafficking", _("Indicators of trafficking present")
    INSUFFICIENT_INDICATORS = "insufficient_indicators", _("Insufficient indicators")


class IndicatorCatalogue(models.Model):
    """One version of one of the four lists, with its combination rules."""

    list_name = models.CharField(_("list"), max_length=20, choices=ListName.choices)
    version = models.PositiveIntegerField(_("version"))
    source = BoundedTextField(_("source"), blank=True, max_length=SHORT_TEXT)
    verified = models.BooleanField(_("verified against the primary source"), default=False)
    # {"dimension_rule": {...thresholds...}, "required": [[dim, ...], [dim], ...]}
    rules = models.JSONField(_("rules"))
    imported_at = models.DateTimeField(default=timezone.now, editable=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("indicator catalogue")
        verbose_name_plural = _("indicator catalogues")
        ordering = ["list_name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["list_name", "version"], name="screening_catalogue_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.list_name} v{self.version}"

    @property
    def audit_label(self) -> str:
        return f"catalogue {self.list_name} v{self.version}"

    @property
    def is_child_list(self) -> bool:
        return self.list_name.startswith("child_")

    @property
    def exploitation(self) -> str:
        return self.list_name.split("_", 1)[1]


class Indicator(models.Model):
    catalogue = models.ForeignKey(
        IndicatorCatalogue, on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=20)
    dimension = models.CharField(_("dimension"), max_length=40, choices=Dimension.choices)
    strength = models.CharField(_("strength"), max_length=10, choices=Strength.choices)
    label_en = models.CharField(_("label (English)"), max_length=300)
    label_sr = models.CharField(_("label (Serbian Cyrillic)"), max_length=300)
    question_en = models.CharField(_("question (English)"), max_length=500)
    question_sr = models.CharField(_("question (Serbian Cyrillic)"), max_length=500)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["catalogue", "position"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="screening_indicator_uniq")
        ]

    def __str__(self) -> str:
        return self.code

    def label(self, language: str) -> str:
        """The label in ``en``, ``sr`` (Cyrillic) or ``sr-latn`` (transliterated, never stored)."""
        return _localized(self.label_en, self.label_sr, language)

    def question(self, language: str) -> str:
        return _localized(self.question_en, self.question_sr, language)


def _localized(en: str, sr: str, language: str) -> str:
    language = (language or "en").lower()
    if language == "sr" and sr:
        return sr
    if language in ("sr-latn", "sr_latn") and sr:
        return to_latin(sr)
    return en


class Screening(VersionedModel):
    """One screening interview by a front-line worker; locked once submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    screener = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="screenings"
    )
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="screenings"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    age_group = models.CharField(_("age group"), max_length=20, choices=AgeGroup.choices)
    screened_on = models.DateField(_("date of the screening"), default=timezone.localdate)
    place = models.CharField(_("place (municipality)"), max_length=100, blank=True)
    labour_catalogue = models.ForeignKey(
        IndicatorCatalogue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("labour-exploitation list"),
    )
    sexual_catalogue = models.ForeignKey(
        IndicatorCatalogue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sexual-exploitation list"),
    )
    # Why the person is presumed to be a child, and what the screener saw: personal data.
    age_reasons = EncryptedTextField(
        _("reasons to believe the person is a child"), blank=True, max_length=SHORT_TEXT
    )
    observations = EncryptedTextField(_("observations"), blank=True, max_length=LONG_TEXT)
    # Frozen at submission: {list_name: engine result as plain data}.
    result = models.JSONField(_("result"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=30, choices=Outcome.choices, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def code(self) -> str:
        return f"SCR-{self.created_at:%Y}-{self.pk:05d}"

    @property
    def audit_label(self) -> str:
        return f"screening {self.code}"

    @property
    def is_child(self) -> bool:
        return self.age_group in (AgeGroup.CHILD, AgeGroup.PRESUMED_CHILD)

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def catalogues(self) -> list[IndicatorCatalogue]:
        return [c for c in (self.labour_catalogue, self.sexual_catalogue) if c is not None]

    @property
    def result_summary(self) -> str:
        """Short, pseudonymous outcome per list, in the active language (for referral pages)."""
        if not self.result:
            return gettext("Screening not submitted yet")
        parts = []
        for list_name, data in sorted(self.result.items()):
            parts.append(_summary_part(list_name, data))
        text = "; ".join(parts)
        if self.age_group == AgeGroup.PRESUMED_CHILD:
            text += " — " + gettext("presumed child, screened on the child list")
        return text


def _summary_part(list_name: str, data: dict[str, Any]) -> str:
    label = str(ListName(list_name).label)
    if data.get("outcome") == Outcome.INDICATORS_OF_TRAFFICKING:
        outcome = gettext("indicators present")
    else:
        outcome = gettext("insufficient indicators")
    if not data.get("verified", True):
        outcome += " (" + gettext("unverified list") + ")"
    return f"{label}: {outcome}"


class ScreeningAnswer(models.Model):
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(_("answer"), max_length=10, choices=Answer.choices)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["screening", "indicator"], name="screening_answer_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}={self.value}"
