"""Import jobs and the mappings people make once and the pipeline remembers.

Everything about a job lives in the database, so any web server and any background worker can
serve it: the uploaded file (until the job ends), the column mapping, the progress and the report.
What may hold personal data — the file, its name and the report, whose messages quote values — is
an ``EncryptedTextField``, so ``manage.py rotate_keys`` re-encrypts it with everything else.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.core.fields import LONG_TEXT, BoundedTextField, EncryptedTextField


class Stage(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded")
    QUEUED = "queued", _("waiting for the background worker")
    RUNNING = "running", _("importing")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ImportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    spec = models.CharField(max_length=64)
    target = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=10, blank=True)  # messages of the job are in it
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = EncryptedTextField(blank=True, max_length=500)
    # The file as uploaded (``pipeline.pack_upload``: compressed, base64); emptied when the job ends.
    upload = EncryptedTextField(null=True, blank=True, max_length=200_000_000)
    header = models.JSONField(default=list)  # the header cells as written (column names)
    signature = models.CharField(max_length=64)  # of the header: the source's layout
    mapping = models.JSONField(default=list)  # a column key ("" = not imported) per header cell
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.UPLOADED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict)  # counts only
    message = BoundedTextField(blank=True, max_length=LONG_TEXT)
    # JSON: {"errors": [[row, column, message]], "outcomes": [[row, outcome, reference]]}
    report = EncryptedTextField(blank=True, max_length=50_000_000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["actor", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.spec} {self.id}"

    # A job still waiting for the worker ``lost_after``, or importing with no progress written
    # for ``stalled_after``, was interrupted: the worker stopped or was restarted with it (an upgrade
    # restarts it), and its transaction was rolled back, so nothing was imported. Progress is
    # written at most twice a second on PostgreSQL; SQLite writes it only at the start and end,
    # so there an import would have to run half an hour to be taken for interrupted.
    lost_after: ClassVar[timedelta] = timedelta(hours=1)
    stalled_after: ClassVar[timedelta] = timedelta(minutes=30)

    @property
    def finished(self) -> bool:
        return self.stage in (Stage.DONE, Stage.FAILED)

    @property
    def interrupted(self) -> bool:
        """Waiting or importing, but abandoned by the worker (``services.job_resume``)."""
        now = timezone.now()
        if self.stage == Stage.QUEUED:
            return self.updated_at < now - self.lost_after
        if self.stage == Stage.RUNNING:
            return self.updated_at < now - self.stalled_after
        return False

    @property
    def in_progress(self) -> bool:
        """What the page polls: waiting for the worker or importing, not interrupted."""
        return self.stage in (Stage.QUEUED, Stage.RUNNING) and not self.interrupted

    @property
    def percent(self) -> int:
        if self.stage == Stage.DONE:
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else 0


class ColumnMapping(models.Model):
    """The column mapping last confirmed for a layout of file (header signature) of an agency."""

    spec = models.CharField(max_length=64)
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    signature = models.CharField(max_length=64)
    mapping = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["spec", "agency", "signature"], name="imports_column_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.spec} {self.signature[:8]}"


class ValueMapping(models.Model):
    """What a value an agency writes means in a vocabulary ("Ženski" → Feminine), remembered."""

    vocabulary = models.CharField(max_length=100)
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    raw = models.CharField(max_length=200)  # spec.match_key of the value as written
    code = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vocabulary", "agency", "raw"], name="imports_value_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vocabulary}: {self.raw} → {self.code}"
