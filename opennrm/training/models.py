"""Training records: courses and modules, cohorts, trainees and their completions, training events,
target populations with headcounts (for coverage), needs assessments and curricula.

Trainees are professionals (judges, inspectors, students), not victims: their names and e-mail
addresses are staff personal data, shown to ``training.view`` holders only and never in aggregates.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.models import Agency
from opennrm.accounts.roles import AgencyType
from opennrm.core.fields import LONG_TEXT, SHORT_TEXT, BoundedTextField
from opennrm.core.i18n import localized
from opennrm.core.models import TimeStampedModel, VersionedModel


class Language(models.TextChoices):
    SERBIAN = "sr", _("Serbian")
    ENGLISH = "en", _("English")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not stated")


class Profession(models.TextChoices):
    LAW_STUDENT = "law_student", _("Law student")
    JUDGE = "judge", _("Judge")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    LABOUR_INSPECTOR = "labour_inspector", _("Labour inspector")
    POLICE_OFFICER = "police_officer", _("Police officer")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    SHELTER_STAFF = "shelter_staff", _("Shelter staff")
    EDUCATOR = "educator", _("Educational professional")
    HEALTH_WORKER = "health_worker", _("Health worker")
    CSO_WORKER = "cso_worker", _("Civil society worker")
    OTHER = "other", _("Other")


class TargetGroup(models.TextChoices):
    LAW_STUDENTS = "law_students", _("Law students")
    JUDGES_PROSECUTORS = "judges_prosecutors", _("Judges and prosecutors")
    LABOUR_INSPECTORS = "labour_inspectors", _("Labour inspectors")
    SHELTER_STAFF = "shelter_staff", _("Shelter staff")
    EDUCATORS = "educators", _("Educational professionals")
    MIXED = "mixed", _("Multi-disciplinary")


class Course(VersionedModel):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_sr = models.CharField(_("title (Serbian Cyrillic)"), max_length=200, blank=True)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    edition = models.CharField(_("edition"), max_length=40, blank=True)
    # The saved mapping of completion-report columns (normalised header) to module codes, reused
    # by every later import of the same course.
    column_mapping = models.JSONField(_("import column mapping"), default=dict, blank=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return localized(self.title, self.title_sr)

    @property
    def audit_label(self) -> str:
        return f"course {self.code}"


class Module(TimeStampedModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    title_sr = models.CharField(_("title (Serbian Cyrillic)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="training_module_position"),
            models.UniqueConstraint(fields=["course", "code"], name="training_module_code"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.display_title}"

    @property
    def display_title(self) -> str:
        return localized(self.title, self.title_sr)

    @property
    def audit_label(self) -> str:
        return f"module {self.course_id}/{self.code}"


class Cohort(VersionedModel):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    code = models.SlugField(_("code"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    target_group = models.CharField(_("target group"), max_length=40, choices=TargetGroup.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    organiser = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("organiser")
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.SERBIAN
    )

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-start", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="training_cohort_period"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_label(self) -> str:
        return f"cohort {self.code}"


class Trainee(TimeStampedModel):
    """A professional who takes courses or attends events; identified by e-mail across imports."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), unique=True)
    profession = models.CharField(_("profession"), max_length=40, choices=Profession.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("agency"),
    )
    # Kept even without an agency row (students, private sector) so attendance can be broken down.
    agency_type = models.CharField(
        _("agency type"), max_length=40, choices=AgencyType.choices, blank=True
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)

    class Meta:
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def audit_label(self) -> str:
        return f"trainee #{self.pk}"


class Enrolment(TimeStampedModel):
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    trainee = models.ForeignKey(Trainee, on_delete=models.PROTECT, related_name="enrolments")
    enrolled_on = models.DateField(_("enrolled on"))
    # Set by the services when the last module of the course is completed; the date of that module.
    completed_on = models.DateField(_("course completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["cohort", "trainee"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "trainee"], name="training_enrolment_once")
        ]

    @property
    def audit_label(self) -> str:
        return f"enrolment #{self.pk}"


class ModuleCompletion(TimeStampedModel):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="completions")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="completions")
    completed_on = models.DateField(_("completed on"))

    class Meta:
        verbose_name = _("module completion")
        verbose_name_plural = _("module completions")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "module"], name="training_completion_once")
        ]

    @property
    def audit_label(self) -> str:
        return f"module completion #{self.pk}"


class OutcomeKind(models.TextChoices):
    APPLIED_TO_VOLUNTEER = "applied_to_volunteer", _("Applied to volunteer with a CSO")
    JOINED_NETWORK = "joined_network", _("Joined a professional network")
    BECAME_TRAINER = "became_trainer", _("Became a trainer")


class EnrolmentOutcome(TimeStampedModel):
    """A follow-up of one trainee after the course, so "11 of 37" is counted, not typed."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("outcome"), max_length=40, choices=OutcomeKind.choices)
    recorded_on = models.DateField(_("recorded on"))

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "kind"], name="training_outcome_once")
        ]

    @property
    def audit_label(self) -> str:
        return f"outcome #{self.pk}"


class EventKind(models.TextChoices):
    SEMINAR = "seminar", _("Seminar")
    MULTIDISCIPLINARY = "multidisciplinary", _("Multi-disciplinary training")
    ONLINE_CONSULTATION = "online_consultation", _("Online consultation")


class TrainingEvent(VersionedModel):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    organiser = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("organiser")
    )
    agenda = BoundedTextField(_("agenda"), blank=True, max_length=LONG_TEXT)
    trainers = BoundedTextField(_("trainers"), blank=True, max_length=SHORT_TEXT)

    class Meta:
        verbose_name = _("training event")
        verbose_name_plural = _("training events")
        ordering = ["-start", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="training_event_period"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_label(self) -> str:
        return f"training event {self.code}"


class Attendance(TimeStampedModel):
    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="attendances")
    trainee = models.ForeignKey(Trainee, on_delete=models.PROTECT, related_name="attendances")

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["event", "trainee"], name="training_attendance_once")
        ]

    @property
    def audit_label(self) -> str:
        return f"attendance #{self.pk}"


class TargetPopulation(VersionedModel):
    """A group of professionals to be trained; coverage = qualified members / headcount.

    "Qualifying" is set per population: completing any of ``qualifying_courses`` or attending any
    of ``qualifying_events``, by a trainee whose profession is ``profession``.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_sr = models.CharField(_("name (Serbian Cyrillic)"), max_length=200, blank=True)
    profession = models.CharField(_("profession"), max_length=40, choices=Profession.choices)
    qualifying_courses = models.ManyToManyField(
        Course, blank=True, related_name="+", verbose_name=_("qualifying courses")
    )
    qualifying_events = models.ManyToManyField(
        TrainingEvent, blank=True, related_name="+", verbose_name=_("qualifying events")
    )

    class Meta:
        verbose_name = _("target population")
        verbose_name_plural = _("target populations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_sr)

    @property
    def audit_label(self) -> str:
        return f"population {self.code}"


class Headcount(TimeStampedModel):
    population = models.ForeignKey(
        TargetPopulation, on_delete=models.CASCADE, related_name="headcounts"
    )
    on = models.DateField(_("as of"))
    headcount = models.PositiveIntegerField(_("headcount"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("headcount")
        verbose_name_plural = _("headcounts")
        ordering = ["population", "on"]
        constraints = [
            models.UniqueConstraint(fields=["population", "on"], name="training_headcount_once"),
            models.CheckConstraint(
                condition=models.Q(headcount__gt=0), name="training_headcount_positive"
            ),
        ]

    @property
    def audit_label(self) -> str:
        return f"headcount #{self.pk}"


class WorkStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class NeedsAssessment(VersionedModel):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    topic = models.CharField(_("topic"), max_length=300)
    institutions = models.ManyToManyField(Agency, related_name="+", verbose_name=_("institutions"))
    status = models.CharField(
        _("status"), max_length=20, choices=WorkStatus.choices, default=WorkStatus.PLANNED
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    findings = BoundedTextField(_("findings"), blank=True, max_length=LONG_TEXT)
    follow_up_events = models.ManyToManyField(
        TrainingEvent, blank=True, related_name="needs_assessments", verbose_name=_("follow-up")
    )

    class Meta:
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")
        ordering = ["-started_on", "code"]

    def __str__(self) -> str:
        return self.topic

    @property
    def audit_label(self) -> str:
        return f"needs assessment {self.code}"


class CurriculumStatus(models.TextChoices):
    DRAFTING = "drafting", _("Drafting")
    PREPARED = "prepared", _("Prepared")
    ADOPTED = "adopted", _("Adopted")
    IN_USE = "in_use", _("In use")


class Curriculum(VersionedModel):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    topic = models.CharField(_("topic"), max_length=300)
    partner = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner ministry")
    )
    target_group = models.CharField(_("target group"), max_length=40, choices=TargetGroup.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CurriculumStatus.choices,
        default=CurriculumStatus.DRAFTING,
    )
    trainings_start = models.DateField(_("trainings start"), null=True, blank=True)

    class Meta:
        verbose_name = _("curriculum")
        verbose_name_plural = _("curricula")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.topic

    @property
    def audit_label(self) -> str:
        return f"curriculum {self.code}"
