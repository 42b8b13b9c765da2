"""Partner platforms and the packages exchanged with them (issue 17; docs/transnational.md).

A ``Partner`` is another country's national platform, registered by an administrator from the
public keys and endpoint its administrator gave out of band (the fingerprint read aloud on both
sides). A ``TransnationalReferral`` is one referral between the two, seen from this side: sent
(from one of our cases) or received (into the identification centre's inbox). ``Package`` keeps
every envelope sent or received — its id is the replay guard — and the delivery queue.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opennrm.accounts.models import User
from opennrm.cases.models import Case
from opennrm.core.fields import DOCUMENT_TEXT, LONG_TEXT, SHORT_TEXT, EncryptedTextField
from opennrm.core.models import TimeStampedModel, VersionedModel


class PartnerStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("partner status", "Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class KeyStatus(models.TextChoices):
    CURRENT = "current", _("Current")
    PREVIOUS = "previous", _("Previous (accepted during a rotation)")
    RETIRED = "retired", _("Retired")


class Purpose(models.TextChoices):
    IDENTIFY = "identify", _("Identification")
    ASSIST = "assist", _("Assistance and protection")
    RETURN = "return", _("Safe return")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    PROCEEDINGS = "proceedings", _("Criminal or civil proceedings")


class Direction(models.TextChoices):
    OUTGOING = "out", _("Sent")
    INCOMING = "in", _("Received")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received by the partner")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    SERVICES_STARTED = "services_started", _("Services started")
    RECEPTION_CONFIRMED = "reception_confirmed", _("Reception arrangements confirmed")
    RETURN_COMPLETED = "return_completed", _("Return completed")
    CASE_CLOSED = "case_closed", _("Case closed")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be delivered")
    DELIVERED = "delivered", _("Delivered")
    REFUSED = "refused", _("Refused by the partner")
    RECEIVED = "received", _("Received")


class Partner(VersionedModel):
    country = models.CharField(_("country"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=200)
    endpoint = models.URLField(_("inbox address"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


class PartnerKey(TimeStampedModel):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="keys")
    sign_public = models.CharField(_("signing key"), max_length=64)
    box_public = models.CharField(_("encryption key"), max_length=64)
    sign_kid = models.CharField(max_length=16)
    box_kid = models.CharField(max_length=16)
    fingerprint = models.CharField(_("fingerprint"), max_length=60)
    status = models.CharField(max_length=10, choices=KeyStatus.choices, default=KeyStatus.CURRENT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "sign_kid"], name="trm_partner_key_unique")
        ]


class TransnationalReferral(VersionedModel):
    direction = models.CharField(max_length=3, choices=Direction.choices)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals")
    package_id = models.UUIDField()
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    reference = models.CharField(_("partner's reference"), max_length=40, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="transnational"
    )
    child = models.BooleanField(default=False)
    # The fields sent or received (HTCDS names → values) and the sender's own words, as JSON.
    data = EncryptedTextField(blank=True, max_length=DOCUMENT_TEXT)
    free_text = EncryptedTextField(blank=True, max_length=LONG_TEXT)
    consent = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    decline_reason = EncryptedTextField(blank=True, max_length=SHORT_TEXT)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "direction", "package_id"], name="trm_referral_unique"
            )
        ]

    @property
    def audit_label(self) -> str:
        return (
            f"TRM {self.get_direction_display()} {self.partner.country} {str(self.package_id)[:8]}"
        )

    def __str__(self) -> str:
        return self.audit_label


class StatusUpdate(models.Model):
    referral = models.ForeignKey(
        TransnationalReferral, on_delete=models.CASCADE, related_name="updates"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    note = EncryptedTextField(blank=True, max_length=SHORT_TEXT)
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.referral} {self.status}"


class Package(TimeStampedModel):
    """One envelope sent or received. Received ids are the replay guard (unique per partner)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="packages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    package_id = models.UUIDField()
    kind = models.CharField(max_length=10)
    envelope = models.JSONField()
    expires_at = models.DateTimeField()
    delivery = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "direction", "package_id"], name="trm_package_unique"
            )
        ]
        indexes = [models.Index(fields=["delivery", "next_attempt_at"], name="trm_queue")]

    @property
    def kind_label(self) -> str:
        """What the envelope carries, in words (the envelope's ``kind`` is a protocol value)."""
        labels = {"referral": _("referral"), "status": _("status update")}
        return str(labels.get(self.kind, self.kind))


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class ReturnPlan(VersionedModel):
    """Art. 16(2): a return "with due regard for the rights, safety and dignity" of the person."""

    referral = models.OneToOneField(
        TransnationalReferral, on_delete=models.CASCADE, related_name="return_plan"
    )
    risk_assessment = EncryptedTextField(
        _("pre-return risk assessment"), blank=True, max_length=LONG_TEXT
    )
    risk_level = models.CharField(_("risk"), max_length=10, choices=RiskLevel.choices, blank=True)
    travel_documents = EncryptedTextField(_("travel documents"), blank=True, max_length=SHORT_TEXT)
    travel_on = models.DateField(_("travel date"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    follow_up_on = models.DateField(_("follow-up after return"), null=True, blank=True)
    follow_up_notes = EncryptedTextField(_("follow-up notes"), blank=True, max_length=LONG_TEXT)
