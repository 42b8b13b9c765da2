"""Awareness raising: grants to civil society organisations and the campaigns they run, with reach
reported over time (people reached, events, materials, hotline calls). No personal data here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opennrm.accounts.models import Agency
from opennrm.core.models import TimeStampedModel, VersionedModel


class Currency(models.TextChoices):
    EUR = "EUR", "EUR"
    RSD = "RSD", "RSD"
    USD = "USD", "USD"


class GrantStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", pgettext_lazy("grant status", "Active")
    FINAL_PHASE = "final_phase", _("Final phase")
    CLOSED = "closed", pgettext_lazy("grant status", "Closed")


class Grant(VersionedModel):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    grantee = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("grantee")
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    status = models.CharField(
        _("status"), max_length=20, choices=GrantStatus.choices, default=GrantStatus.PLANNED
    )

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-start", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="awareness_grant_period"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="awareness_grant_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_label(self) -> str:
        return f"grant {self.code}"


class ReportKind(models.TextChoices):
    INTERIM = "interim", _("Interim report")
    FINAL = "final", _("Final report")


class GrantReport(TimeStampedModel):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    due_on = models.DateField(_("due on"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)

    class Meta:
        verbose_name = _("grant report")
        verbose_name_plural = _("grant reports")
        ordering = ["due_on"]

    @property
    def audit_label(self) -> str:
        return f"grant report #{self.pk}"


class Topic(models.TextChoices):
    LABOUR_EXPLOITATION = "labour_exploitation", _("Labour exploitation")
    CHILD_TRAFFICKING = "child_trafficking", _("Child trafficking")
    SEXUAL_EXPLOITATION = "sexual_exploitation", _("Sexual exploitation")
    GENERAL = "general", _("Trafficking in general")


class Channel(models.TextChoices):
    SOCIAL_MEDIA = "social_media", _("Social media")
    TELEVISION = "television", _("Television")
    RADIO = "radio", _("Radio")
    PRINT = "print", _("Print")
    OUTDOOR = "outdoor", _("Outdoor")
    EVENTS = "events", _("Public events")
    SCHOOLS = "schools", _("Schools")


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    FINAL_PHASE = "final_phase", _("Final phase")
    COMPLETED = "completed", _("Completed")


class Campaign(VersionedModel):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices)
    audience = models.CharField(_("audience"), max_length=300)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    status = models.CharField(
        _("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    grant = models.ForeignKey(
        Grant,
        on_delete=models.PROTECT,
        related_name="campaigns",
        null=True,
        blank=True,
        verbose_name=_("grant"),
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="awareness_campaign_period"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_label(self) -> str:
        return f"campaign {self.code}"


class ReachReport(TimeStampedModel):
    """Reach of a campaign over one reporting period ending on ``on``; figures add up over time."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reach_reports")
    on = models.DateField(_("period ending"))
    people_reached = models.PositiveIntegerField(_("people reached"), default=0)
    events_held = models.PositiveIntegerField(_("events held"), default=0)
    materials_distributed = models.PositiveIntegerField(_("materials distributed"), default=0)
    hotline_calls = models.PositiveIntegerField(_("hotline calls"), default=0)

    class Meta:
        verbose_name = _("reach report")
        verbose_name_plural = _("reach reports")
        ordering = ["campaign", "on"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "on"], name="awareness_reach_once")
        ]

    @property
    def audit_label(self) -> str:
        return f"reach report #{self.pk}"
