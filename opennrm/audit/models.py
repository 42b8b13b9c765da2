"""The audit trail: append-only entries, and the seals that chain them.

Entries are written inside the transaction of the change they describe (so an audited change and
its entry commit or roll back together). Seals are written afterwards by a single sealer at a time
(``services.seal_pending``), which is what keeps the chain from serialising every request: writers
never wait on the chain head. Database triggers (migration 0002) refuse UPDATE and DELETE on both
tables, on PostgreSQL and on SQLite.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.core.fields import SHORT_TEXT, EncryptedTextField


class AuditEntry(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    agency_label = models.CharField(max_length=200, blank=True)
    verb = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    # Encrypted: a stated purpose can name a person ("checking whether Ana P. is ..."). The chain
    # hashes the plaintext (``verification.entry_values`` decrypts), so re-sealing under a new key
    # and the migration that encrypted the old clear values leave every seal valid.
    purpose = EncryptedTextField(blank=True, max_length=SHORT_TEXT)
    recipient = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    flagged = models.BooleanField(default=False)
    ip = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["actor", "at"]),
            # The auditor's home counts the week's flagged entries: a partial index, so that it
            # does not walk every entry of the week (every read of personal data is one).
            models.Index(fields=["at"], condition=models.Q(flagged=True), name="audit_flagged_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb} {self.target_label}"

    def hash_values(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "at": self.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "agency_label": self.agency_label,
            "verb": self.verb,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "target_label": self.target_label,
            "purpose": self.purpose,
            "recipient": self.recipient,
            "changes": self.changes,
            "flagged": self.flagged,
            "ip": self.ip,
        }


class AuditSeal(models.Model):
    seq = models.BigIntegerField(primary_key=True)
    entry = models.OneToOneField(
        AuditEntry, on_delete=models.DO_NOTHING, related_name="seal", db_constraint=False
    )
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("audit seal")

    def __str__(self) -> str:
        return f"seal {self.seq} → entry {self.entry_id}"
