"""The NRM core: persons, referrals, cases and the protection given to them.

Personal data is encrypted at rest (``EncryptedTextField``) and every model's ``audit_label`` is a
pseudonymous code, never a name. What each field holds, which are encrypted and the blind indexes
are in docs/data-model.md; each class says what one row is.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.cases import vocab
from opennrm.core.fields import LONG_TEXT, NAME_LENGTH, SHORT_TEXT, EncryptedTextField
from opennrm.core.models import TimeStampedModel, VersionedModel

# Art. 13: the recovery and reflection period lasts at least 30 days.
MIN_REFLECTION_DAYS = 30


class CodeSequence(models.Model):
    """A named counter (``person:2026``) from which pseudonymous codes are drawn under a row lock."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Person(VersionedModel):
    """Someone referred to the NRM, once, whatever the number of cases; ``code`` is the only
    identifier shown outside need-to-know (``services.person_code``)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    given_names = EncryptedTextField(_("given names"), blank=True, max_length=NAME_LENGTH)
    family_name = EncryptedTextField(_("family name"), blank=True, max_length=NAME_LENGTH)
    date_of_birth = EncryptedTextField(_("date of birth"), blank=True, max_length=64)
    contacts = EncryptedTextField(_("contacts"), blank=True, max_length=SHORT_TEXT)
    identity_document = EncryptedTextField(
        _("identity document"), blank=True, max_length=NAME_LENGTH
    )
    # Indexed with the id (Meta): a search by name reads the ids from the index alone.
    name_index = models.CharField(max_length=64, blank=True)
    name_dob_index = models.CharField(max_length=64, blank=True, db_index=True)
    name_yob_index = models.CharField(max_length=64, blank=True, db_index=True)
    gender = models.CharField(
        _("sex/gender"), max_length=24, choices=vocab.Gender.choices, default=vocab.Gender.UNKNOWN
    )
    year_of_birth = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    citizenship = models.JSONField(_("citizenship"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["-id"]
        indexes = [
            # Covering: the people of one name (a case search by name) without reading one row
            # of this wide, encrypted table per person — an index-only scan.
            models.Index(fields=["name_index", "id"], name="person_name_index_id"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def audit_label(self) -> str:
        return self.code


class DeclineCategory(models.TextChoices):
    """Why a referral was declined, as the referring agency is told (never the free text)."""

    NO_INDICATIONS = "no_indications", _("No indications of trafficking")
    INSUFFICIENT_INFORMATION = "insufficient_information", _("Not enough information to assess")
    ALREADY_REGISTERED = "already_registered", _("The person is already registered")
    PERSON_DECLINED = "person_declined", _("The person declined the referral")
    OTHER_SERVICE = "other_service", _("Referred to another service")
    OTHER = "other", _("Other reason")


class Referral(VersionedModel):
    """A person sent by any agency to the identification centre: sent → acknowledged →
    accepted / declined."""

    from_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="referrals_sent"
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_sent"
    )
    to_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="referrals_received"
    )
    source_screening = models.ForeignKey(
        "screening.Screening",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    reason = EncryptedTextField(_("reason for referral"), blank=True, max_length=LONG_TEXT)
    subject_given_names = EncryptedTextField(_("given names"), blank=True, max_length=NAME_LENGTH)
    subject_family_name = EncryptedTextField(_("family name"), blank=True, max_length=NAME_LENGTH)
    subject_date_of_birth = EncryptedTextField(_("date of birth"), blank=True, max_length=64)
    subject_contacts = EncryptedTextField(_("contacts"), blank=True, max_length=SHORT_TEXT)
    subject_year_of_birth = models.PositiveSmallIntegerField(
        _("year of birth"), null=True, blank=True
    )
    subject_gender = models.CharField(
        _("sex/gender"), max_length=24, choices=vocab.Gender.choices, default=vocab.Gender.UNKNOWN
    )
    subject_citizenship = models.JSONField(_("citizenship"), default=list, blank=True)
    subject_languages = models.JSONField(_("languages"), default=list, blank=True)
    is_child = models.BooleanField(_("the person is a child"), default=False)
    consent = models.CharField(_("consent"), max_length=20, choices=vocab.ReferralConsent.choices)
    consent_scope = models.JSONField(_("consent scope"), default=list, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=vocab.ReferralStatus.choices,
        default=vocab.ReferralStatus.SENT,
        db_index=True,
    )
    # The category is what the referrer sees; the free text may name the person and stays
    # with the identification centre (encrypted like every other free text here).
    decline_category = models.CharField(
        _("reason category"), max_length=24, choices=DeclineCategory.choices, blank=True
    )
    decline_reason = EncryptedTextField(
        _("reason for declining"), blank=True, max_length=SHORT_TEXT
    )
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    case = models.OneToOneField(
        "Case", on_delete=models.PROTECT, null=True, blank=True, related_name="referral"
    )

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["to_agency", "status"])]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"referral R-{self.pk}"


class Case(VersionedModel):
    """One episode of trafficking for one person (re-trafficking is a new case); states in
    ``workflow.py``."""

    code = models.CharField(_("code"), max_length=24, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    lead_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="led_cases"
    )
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=vocab.CaseStatus.choices,
        default=vocab.CaseStatus.REFERRED,
        db_index=True,
    )
    is_child = models.BooleanField(_("child"), default=False)
    opened_on = models.DateField(_("opened on"), default=date.today)
    presumed_victim_date = models.DateField(_("presumed victim since"), null=True, blank=True)
    reflection_period_start = models.DateField(
        _("recovery and reflection period from"), null=True, blank=True
    )
    reflection_period_end = models.DateField(
        _("recovery and reflection period until"), null=True, blank=True
    )
    forms_of_exploitation = models.JSONField(_("forms of exploitation"), default=list, blank=True)
    country_of_exploitation = models.CharField(
        _("country of exploitation"), max_length=2, blank=True
    )
    municipality_of_exploitation = models.CharField(
        _("municipality of exploitation"), max_length=100, blank=True
    )
    trafficking_scope = models.CharField(
        _("internal or transnational"),
        max_length=16,
        choices=vocab.TraffickingScope.choices,
        default=vocab.TraffickingScope.UNKNOWN,
    )
    recruitment_method = models.CharField(
        _("method of recruitment"),
        max_length=40,
        choices=vocab.MethodOfRecruitment.choices,
        blank=True,
    )
    means_of_control = models.JSONField(_("means of control"), default=list, blank=True)
    risk_level = models.CharField(
        _("risk level"), max_length=8, choices=vocab.RiskLevel.choices, blank=True
    )
    closure_reason = models.CharField(
        _("reason for closure"), max_length=24, choices=vocab.ClosureReason.choices, blank=True
    )
    closure_details = EncryptedTextField(_("closure details"), blank=True, max_length=LONG_TEXT)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set when the record came from an agency's legacy file: its dates are the file's, it holds
    # only what the file stated, and its deadlines count from the import, never from the past.
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["lead_agency", "status"]),
            models.Index(fields=["opened_on"]),
            # Deadlines: "recovery period ends within 5 days" and the open-case scans.
            models.Index(fields=["reflection_period_end"], name="case_reflection_end"),
            models.Index(fields=["status", "opened_on", "id"], name="case_status_opened"),
            # "Identification decision due" (cases.dashboard): an agency's open cases, oldest
            # first, read in index order and stopped at the first 500; without it, every open
            # case of a large centre was joined and sorted per page (1.4 s at 575,000 cases).
            # The states are cases.deadlines.PENDING_DECISION_STATES.
            models.Index(
                fields=["lead_agency", "opened_on", "id"],
                name="case_pending_by_agency",
                condition=Q(status__in=["presumed_victim", "referred", "under_assessment"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reflection_period_end__isnull=True)
                | Q(reflection_period_end__gte=models.F("reflection_period_start")),
                name="case_reflection_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def audit_label(self) -> str:
        return self.code

    @property
    def reflection_period_days(self) -> int | None:
        if self.reflection_period_start is None or self.reflection_period_end is None:
            return None
        return (self.reflection_period_end - self.reflection_period_start).days

    @staticmethod
    def reflection_end_for(start: date) -> date:
        return start + timedelta(days=MIN_REFLECTION_DAYS)


class CaseStatusChange(models.Model):
    """Every transition of a case: from, to, the action, who, when, a note."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=vocab.CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=vocab.CaseStatus.choices)
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = EncryptedTextField(blank=True, max_length=SHORT_TEXT)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"status change #{self.pk}"


class IdentificationDecision(TimeStampedModel):
    """The formal identification decision (Art. 10)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=vocab.IdentificationOutcome.choices
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("date of decision"))
    decision_org = models.CharField(
        _("decision-making organisation"),
        max_length=40,
        choices=vocab.DecisionMakingOrg.choices,
        default=vocab.DecisionMakingOrg.NON_POLICE_GOVERNMENT,
    )
    reasoning = EncryptedTextField(_("reasoning"), max_length=LONG_TEXT)

    class Meta:
        verbose_name = _("identification decision")
        ordering = ["-decided_on", "-id"]
        indexes = [
            # The statistics count identified victims by the day of the positive decision: a
            # year is a few per cent of the decisions (1 M cases: 36,000 of 480,000), read
            # through this index instead of a scan of them all (bench/HISTORY.md).
            models.Index(
                fields=["decided_on"],
                condition=models.Q(outcome="identified"),
                name="decision_identified_on",
            ),
        ]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"decision #{self.pk}"


class ResidencePermit(VersionedModel):
    """An Art. 14 residence permit for a foreign victim."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="residence_permits")
    permit_type = models.CharField(_("type"), max_length=24, choices=vocab.PermitType.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=vocab.PermitStatus.choices,
        default=vocab.PermitStatus.APPLIED,
    )
    applied_on = models.DateField(_("applied on"))
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    refused_on = models.DateField(_("refused on"), null=True, blank=True)
    renewed_on = models.DateField(_("renewed on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        verbose_name = _("residence permit")
        ordering = ["-applied_on", "-id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"permit #{self.pk}"


class Guardian(VersionedModel):
    """The legal guardian of a child (Art. 10(4))."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="guardians")
    full_name = EncryptedTextField(_("full name"), max_length=NAME_LENGTH)
    contacts = EncryptedTextField(_("contacts"), blank=True, max_length=SHORT_TEXT)
    relationship = models.CharField(_("relationship or role"), max_length=100, blank=True)
    appointed_by = models.CharField(_("appointed by"), max_length=200, blank=True)
    appointed_on = models.DateField(_("appointed on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("guardian")
        ordering = ["-appointed_on", "-id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"guardian #{self.pk}"


class Consent(VersionedModel):
    """What the person agreed to, per scope: given or withdrawn."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consents")
    scope = models.CharField(_("scope"), max_length=20, choices=vocab.ConsentScope.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=vocab.ConsentStatus.choices,
        default=vocab.ConsentStatus.GIVEN,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"consent #{self.pk}"


class ServiceRequest(VersionedModel):
    """A protection service asked of a provider agency: requested → accepted → in_progress →
    completed / declined."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="service_requests")
    service_type = models.CharField(_("service"), max_length=32, choices=vocab.ServiceType.choices)
    provider_agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="service_requests"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=vocab.ServiceStatus.choices,
        default=vocab.ServiceStatus.REQUESTED,
        db_index=True,
    )
    details = EncryptedTextField(_("details"), blank=True, max_length=LONG_TEXT)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    decline_reason = EncryptedTextField(
        _("reason for declining"), blank=True, max_length=SHORT_TEXT
    )

    class Meta:
        verbose_name = _("service request")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["provider_agency", "status"])]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def allowed_steps(self) -> list[str]:
        """The provider's steps the workflow allows now (``vocab.SERVICE_STEPS``)."""
        return vocab.service_steps_from(self.status)

    @property
    def audit_label(self) -> str:
        return f"service request #{self.pk}"


class ShelterStay(VersionedModel):
    """A stay in a shelter, optionally for a service request."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="shelter_stays")
    shelter = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="shelter_stays"
    )
    service_request = models.ForeignKey(
        ServiceRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="stays"
    )
    admitted_on = models.DateField(_("admitted on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    exit_reason = models.CharField(
        _("reason for leaving"), max_length=16, choices=vocab.ShelterExitReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("shelter stay")
        ordering = ["-admitted_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("admitted_on")),
                name="shelter_stay_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"shelter stay #{self.pk}"


class CasePlan(VersionedModel):
    """The support plan (HTCDS ``spl_``)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="plan")
    objectives = EncryptedTextField(_("objectives"), blank=True, max_length=LONG_TEXT)
    actions = EncryptedTextField(_("action plan"), blank=True, max_length=LONG_TEXT)
    planned_end_on = models.DateField(_("planned end"), null=True, blank=True)
    actual_end_on = models.DateField(_("actual end"), null=True, blank=True)

    class Meta:
        verbose_name = _("case plan")

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"plan #{self.pk}"


class CaseNote(VersionedModel):
    """An encrypted note with a sensitivity level and its author."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(_("note"), max_length=LONG_TEXT)
    sensitivity = models.PositiveSmallIntegerField(
        _("sensitivity"),
        choices=vocab.NoteSensitivity.choices,
        default=vocab.NoteSensitivity.CASE_TEAM,
    )

    class Meta:
        verbose_name = _("case note")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"note #{self.pk}"
