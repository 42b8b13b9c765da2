"""Criminal proceedings for trafficking and related offences, linked to victims by case code only.

``Offence`` — the maintained list of offences (Criminal Code of Serbia articles), seeded by
    migration 0002; ``is_trafficking`` marks the offences counted as trafficking (Arts 388–390).
``Proceeding`` — one criminal proceeding: ``code`` (JP-<year>-<4 digits>, pseudonymous),
    ``file_number`` (the prosecutor's or court's reference), ``prosecutor_office`` / ``court`` /
    ``police_agency`` (agencies), ``stage`` and ``status`` (``stages.py``), ``ex_officio`` (started
    without a victim's complaint, Art. 27), ``started_on``, ``closed_on``/``closure_reason``,
    ``forms_of_exploitation`` (HTCDS values, as in cases).
``StageChange`` — each move between stages with its date: the time spent per stage comes from these.
``Defendant`` — pseudonymous ``code``, ``sex``, ``year_of_birth``, ``citizenship``; ``full_name`` only
    when a justice user enters it (encrypted); the outcome, sentence, confiscation and appeal result.
``Charge`` — an offence charged against a defendant; ``initial_offence`` keeps the first
    qualification so a requalification (e.g. trafficking → mediation in prostitution) is visible.
``VictimInProceeding`` — a case (by code) in the proceeding: role, protective measures (Art. 28),
    legal aid, compensation claimed / awarded / paid and its source (Art. 15), and non-punishment
    (Art. 26): whether the victim was prosecuted or punished for an offence they were compelled to
    commit, and whether the principle was applied.
``Hearing`` — a scheduled hearing: date and time, place, kind; the caseworker of a linked victim sees
    the next one so the victim can be prepared and accompanied.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from opennrm.core.fields import (
    LONG_TEXT,
    NAME_LENGTH,
    SHORT_TEXT,
    BoundedTextField,
    EncryptedTextField,
)
from opennrm.core.models import TimeStampedModel, VersionedModel
from opennrm.justice import vocab


class Offence(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    article = models.CharField(_("article"), max_length=20)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_sr = models.CharField(_("title (Serbian Cyrillic)"), max_length=200)
    is_trafficking = models.BooleanField(_("trafficking offence"), default=False)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("offence")

    def __str__(self) -> str:
        """Article and title in the active language (what a form's list of offences shows)."""
        return f"{self.article_label} {self.title(get_language() or 'en')}"

    @property
    def article_label(self) -> str:
        """The article as the active language abbreviates it: the list keeps "Art. 388" (the
        Criminal Code's article number); Serbian reads "чл. 388"."""
        number = self.article.removeprefix("Art.").strip()
        return _("Art. %(number)s") % {"number": number}

    def title(self, language: str) -> str:
        from opennrm.core.translit import to_latin

        if language == "sr":
            return self.title_sr
        if language == "sr-latn":
            return to_latin(self.title_sr)
        return self.title_en


class Proceeding(VersionedModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    file_number = models.CharField(_("file number"), max_length=60, blank=True)
    prosecutor_office = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="prosecuted_proceedings"
    )
    court = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="court_proceedings",
    )
    police_agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="investigated_proceedings",
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=vocab.Stage.choices, default=vocab.Stage.INVESTIGATION
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=vocab.ProceedingStatus.choices,
        default=vocab.ProceedingStatus.ACTIVE,
    )
    ex_officio = models.BooleanField(_("started ex officio"), default=True)
    started_on = models.DateField(_("started on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = BoundedTextField(
        _("reason for dismissal or discontinuation"), blank=True, max_length=SHORT_TEXT
    )
    forms_of_exploitation = models.JSONField(_("forms of exploitation"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("proceeding")
        indexes = [models.Index(fields=["stage", "status"])]

    def __str__(self) -> str:
        return self.code

    @property
    def audit_label(self) -> str:
        return self.code


class StageChange(models.Model):
    proceeding = models.ForeignKey(
        Proceeding, on_delete=models.CASCADE, related_name="stage_changes"
    )
    stage = models.CharField(max_length=20, choices=vocab.Stage.choices)
    entered_on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = BoundedTextField(blank=True, max_length=SHORT_TEXT)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["entered_on", "id"]

    def __str__(self) -> str:
        return f"{self.proceeding_id}:{self.stage}@{self.entered_on}"


class Defendant(VersionedModel):
    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="defendants")
    code = models.CharField(_("code"), max_length=24, unique=True)
    full_name = EncryptedTextField(_("name"), blank=True, max_length=NAME_LENGTH)
    sex = models.CharField(
        _("sex"), max_length=8, choices=vocab.Sex.choices, default=vocab.Sex.UNKNOWN
    )
    year_of_birth = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    citizenship = models.JSONField(_("citizenship"), default=list, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=vocab.Outcome.choices, default=vocab.Outcome.PENDING
    )
    outcome_on = models.DateField(_("judgment date"), null=True, blank=True)
    prison_months = models.PositiveIntegerField(_("prison (months)"), null=True, blank=True)
    suspended = models.BooleanField(_("suspended sentence"), default=False)
    fine_eur = models.DecimalField(
        _("fine (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    assets_confiscated_eur = models.DecimalField(
        _("assets confiscated (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    appeal_result = models.CharField(_("appeal result"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("defendant")

    def __str__(self) -> str:
        return self.code

    @property
    def audit_label(self) -> str:
        return self.code


class Charge(models.Model):
    defendant = models.ForeignKey(Defendant, on_delete=models.CASCADE, related_name="charges")
    offence = models.ForeignKey(Offence, on_delete=models.PROTECT, related_name="+")
    initial_offence = models.ForeignKey(Offence, on_delete=models.PROTECT, related_name="+")
    qualification = models.CharField(_("qualification"), max_length=200, blank=True)
    requalified_on = models.DateField(_("requalified on"), null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.defendant_id}:{self.offence_id}"

    @property
    def requalified(self) -> bool:
        return self.offence_id != self.initial_offence_id


class VictimInProceeding(VersionedModel):
    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="victims")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="proceedings")
    role = models.CharField(
        _("role"),
        max_length=24,
        choices=vocab.VictimRole.choices,
        default=vocab.VictimRole.INJURED_PARTY,
    )
    protective_measures = models.JSONField(_("protective measures"), default=list, blank=True)
    legal_aid = models.BooleanField(_("free legal aid granted"), default=False)
    compensation_claimed_eur = models.DecimalField(
        _("compensation claimed (EUR)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    compensation_awarded_eur = models.DecimalField(
        _("compensation awarded (EUR)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    compensation_paid_eur = models.DecimalField(
        _("compensation paid (EUR)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    compensation_source = models.CharField(
        _("compensation source"),
        max_length=16,
        choices=vocab.CompensationSource.choices,
        blank=True,
    )
    prosecuted_for_offence = models.BooleanField(
        _("prosecuted or punished for an offence they were compelled to commit"), default=False
    )
    compelled_offence = models.CharField(_("that offence"), max_length=200, blank=True)
    non_punishment_applied = models.BooleanField(
        _("non-punishment principle applied"), null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proceeding", "case"], name="justice_victim_once_per_proceeding"
            ),
            models.CheckConstraint(
                condition=models.Q(compensation_paid_eur__lte=models.F("compensation_awarded_eur")),
                name="justice_paid_not_above_awarded",
            ),
        ]
        verbose_name = _("victim in a proceeding")

    def __str__(self) -> str:
        return f"{self.proceeding_id}:{self.case_id}"

    @property
    def audit_label(self) -> str:
        return f"{self.proceeding.code} victim {self.case.code}"


class Hearing(TimeStampedModel):
    proceeding = models.ForeignKey(Proceeding, on_delete=models.CASCADE, related_name="hearings")
    at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=vocab.HearingKind.choices,
        default=vocab.HearingKind.HEARING,
    )
    notes = BoundedTextField(_("notes"), blank=True, max_length=LONG_TEXT)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at"]
        verbose_name = _("hearing")

    def __str__(self) -> str:
        return f"{self.proceeding_id}@{self.at:%Y-%m-%d}"

    @property
    def audit_label(self) -> str:
        return f"{self.proceeding.code} hearing {self.at:%Y-%m-%d}"
