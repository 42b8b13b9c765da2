"""The life of personal data: erasure proposals and their four-eyes approval.

``ErasureProposal`` — the retention job's proposal to erase one person's personal data
    (``person``, its ``kind`` of schedule, ``due_on``), approved by two different authorised
    people (``first_approver``/``first_approved_at``, ``second_approver``/``second_approved_at``)
    before anything irreversible happens; ``status`` proposed → approved_once → erased, or
    rejected (with ``rejected_by``), or held (``hold_reason``: a legal hold found when approving).
    Statistics keep their figures: erasure blanks the encrypted values and blind indexes, and
    leaves the pseudonymous code and the statistical columns.

``DataSubjectRequest`` — a request by a person about their own data (access, rectification,
    restriction, erasure, objection): ``person``, ``kind``, ``received_on`` and ``due_on`` (30 days
    later, GDPR Art. 12(3) / ZZPL Art. 21), ``details`` and ``answer`` (encrypted), ``status`` open →
    answered, ``answered_by``/``answered_at``; ``restricted`` while a restriction is in force
    (processing blocked, data kept). An open request is a legal hold on erasure.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.core.fields import LONG_TEXT, EncryptedTextField


class ErasureStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED_ONCE = "approved_once", _("Approved once, awaiting a second approval")
    ERASED = "erased", _("Erased")
    REJECTED = "rejected", _("Rejected")
    HELD = "held", _("Held (legal hold)")


class ErasureProposal(models.Model):
    person = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, related_name="erasure_proposals"
    )
    kind = models.CharField(_("schedule"), max_length=32)
    due_on = models.DateField(_("due on"))
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ErasureStatus.choices,
        default=ErasureStatus.PROPOSED,
        db_index=True,
    )
    first_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    first_approved_at = models.DateTimeField(null=True, blank=True)
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    second_approved_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    hold_reason = models.CharField(_("legal hold"), max_length=200, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("erasure proposal")
        ordering = ["due_on", "id"]
        constraints = [
            # Four eyes, in the database too: nobody approves twice.
            models.CheckConstraint(
                condition=Q(second_approver__isnull=True)
                | ~Q(second_approver=models.F("first_approver")),
                name="erasure_two_different_approvers",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["proposed", "approved_once", "held"]),
                name="erasure_one_open_proposal_per_person",
            ),
        ]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"erasure proposal #{self.pk}"


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access (a copy of the data)")
    RECTIFICATION = "rectification", _("Rectification")
    RESTRICTION = "restriction", _("Restriction of processing")
    ERASURE = "erasure", _("Erasure")
    OBJECTION = "objection", _("Objection")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")


class DataSubjectRequest(models.Model):
    person = models.ForeignKey(
        "cases.Person", on_delete=models.PROTECT, related_name="subject_requests"
    )
    kind = models.CharField(_("request"), max_length=16, choices=RequestKind.choices)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("answer due on"))
    details = EncryptedTextField(_("details"), blank=True, max_length=LONG_TEXT)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RequestStatus.choices,
        default=RequestStatus.OPEN,
        db_index=True,
    )
    restricted = models.BooleanField(_("processing restricted"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answer = EncryptedTextField(_("answer"), blank=True, max_length=LONG_TEXT)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data-subject request")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"data-subject request #{self.pk}"
