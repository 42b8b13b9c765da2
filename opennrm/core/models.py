"""Base models shared by every app: timestamps and optimistic concurrency."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opennrm.core.errors import StaleRecordError
from opennrm.core.fields import LONG_TEXT, BoundedTextField


class JobStatus(models.TextChoices):
    """The state of a file made by the background worker (a report's rendition, a synthetic
    dataset): queued, then being generated, then ready or failed."""

    QUEUED = "queued", gettext_lazy("queued")
    RUNNING = "running", gettext_lazy("being generated")
    DONE = "done", gettext_lazy("ready")
    FAILED = "failed", gettext_lazy("failed")


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class WorkerFile(TimeStampedModel):
    """A file made by the background worker for the user who asked for it (a report's rendition,
    a synthetic dataset): its state and progress for the page that polls it, the error of a
    failure, who asked and when it ended. The concrete model adds the ``file`` field (its own
    folder) and what the file is made from."""

    status = models.CharField(
        gettext_lazy("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(gettext_lazy("progress (%)"), default=0)
    error = BoundedTextField(blank=True, max_length=LONG_TEXT)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    # A file still queued ``lost_after`` after it was asked for, or being made with no progress
    # saved for ``stalled_after``, is taken as lost: the worker stopped or was restarted with it
    # (a killed ``db_worker`` leaves its task "running" for good). None: never (the concrete
    # model says). Progress is saved with ``save_progress``, which keeps ``updated_at`` current.
    lost_after: ClassVar[timedelta | None] = None
    stalled_after: ClassVar[timedelta | None] = None
    # A file queued this long, not yet started, tells its user whom to tell (``waiting_minutes``).
    wait_hint_after: ClassVar[timedelta] = timedelta(minutes=15)

    @classmethod
    def alive_q(cls, now: datetime) -> Q:
        """The files waiting to be made or being made, not lost, as a filter."""
        queued = Q(status=JobStatus.QUEUED)
        if cls.lost_after is not None:
            queued &= Q(created_at__gte=now - cls.lost_after)
        running = Q(status=JobStatus.RUNNING)
        if cls.stalled_after is not None:
            running &= Q(updated_at__gte=now - cls.stalled_after)
        return queued | running

    @classmethod
    def save_progress(cls, pk: int, progress: int) -> None:
        """The worker's progress on file ``pk`` (being made), saved at once for the polling page;
        ``updated_at`` with it, which tells a file being made from a lost one."""
        cls._default_manager.filter(pk=pk).update(
            status=JobStatus.RUNNING, progress=progress, updated_at=timezone.now()
        )

    @property
    def lost(self) -> bool:
        now = timezone.now()
        if self.status == JobStatus.QUEUED and self.lost_after is not None:
            return self.created_at < now - self.lost_after
        if self.status == JobStatus.RUNNING and self.stalled_after is not None:
            return self.updated_at < now - self.stalled_after
        return False

    @property
    def pending(self) -> bool:
        """Being made, or waiting to be: what the page polls (a lost file no longer is)."""
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING) and not self.lost

    @property
    def state(self) -> str:
        """The status as users and clients are told it: a lost file has failed."""
        return JobStatus.FAILED.value if self.lost else str(self.status)

    @property
    def state_display(self) -> str:
        return str(JobStatus(self.state).label)

    @property
    def problem(self) -> str:
        """Why the file was not made: the failure's message, or that it was lost."""
        if self.lost:
            return _(
                "This file was not finished: the background worker stopped or was restarted "
                "before making it. Ask for a new one."
            )
        return str(self.error)

    @property
    def waiting_minutes(self) -> int | None:
        """Minutes since the file was asked for, when it has waited in the queue, not started,
        longer than ``wait_hint_after`` (the worker may be stopped); else None."""
        waited = timezone.now() - self.created_at
        if self.status != JobStatus.QUEUED or self.lost or waited < self.wait_hint_after:
            return None
        return int(waited.total_seconds() // 60)


class VersionedModel(TimeStampedModel):
    """An editable record: every save by a service goes through ``save_versioned``."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


def save_versioned(obj: VersionedModel, *, expected_version: int, fields: list[str]) -> None:
    """Write ``fields`` of ``obj`` only if nobody saved it since ``expected_version`` was read.

    A conditional UPDATE (compare-and-set on ``version``) rather than a row lock: the second of two
    concurrent editors is refused with a StaleRecordError, never silently merged.
    """
    values: dict[str, Any] = {}
    for name in fields:
        attname = obj._meta.get_field(name).attname  # type: ignore[union-attr]
        values[attname] = getattr(obj, attname)
    values["updated_at"] = timezone.now()
    updated = (
        type(obj)
        ._default_manager.filter(pk=obj.pk, version=expected_version)
        .update(version=F("version") + 1, **values)
    )
    if updated != 1:
        raise StaleRecordError(
            _(
                "Someone else saved this record while you were editing it. "
                "Your changes were not saved; reload to see the latest version and apply them again."
            )
        )
    obj.version = expected_version + 1
    obj.updated_at = values["updated_at"]
