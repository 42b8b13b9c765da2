"""Field devices (their keys and remote wipe) and the items they sync."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opennrm.core.fields import DOCUMENT_TEXT, SHORT_TEXT, EncryptedTextField
from opennrm.core.models import TimeStampedModel


class FieldDevice(TimeStampedModel):
    """One browser on one phone used for field work by one user.

    ``key`` is the device's data key (base64 of 32 random bytes), sealed at rest like any
    personal data: the device encrypts its offline store with it and gets it only through the
    signed-in user's authenticated request. A wipe request is honoured at the device's next
    contact; the device then confirms (``wiped_at``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="field_devices"
    )
    device_id = models.CharField(_("device id"), max_length=64, unique=True)
    key = EncryptedTextField(_("device key"), max_length=SHORT_TEXT)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    wipe_requested_at = models.DateTimeField(_("wipe requested"), null=True, blank=True)
    wipe_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    wiped_at = models.DateTimeField(_("wiped"), null=True, blank=True)

    class Meta:
        verbose_name = _("field device")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"field device #{self.pk}"


class SyncItem(models.Model):
    """One queued change from a device, kept so that a resent item is applied once.

    ``response`` is what the device was told (ids, outcome, conflicting fields with both values);
    it may hold personal data (a note's text), so it is sealed.
    """

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        CONFLICT = "conflict", _("Conflict to resolve")
        REFUSED = "refused", _("Refused")

    item_id = models.CharField(_("item id"), max_length=64, unique=True)
    device = models.ForeignKey(FieldDevice, on_delete=models.PROTECT, related_name="items")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=30)
    device_time = models.DateTimeField(_("made on the device at"))
    arrived_at = models.DateTimeField(_("arrived at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    response = EncryptedTextField(_("response"), max_length=DOCUMENT_TEXT)

    class Meta:
        verbose_name = _("synced item")
        ordering = ["-arrived_at", "-id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"synced item {self.kind} #{self.pk}"
