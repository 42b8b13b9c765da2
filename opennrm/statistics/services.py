"""Writes of the statistics app: sealed HTCDS exports for partners, synthetic datasets made by
the background worker."""

from __future__ import annotations

import csv
import io
import re
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.core.errors import NotFoundError, ValidationFailed
from opennrm.core.exports import safe_cell
from opennrm.core.models import JobStatus
from opennrm.statistics import htcds
from opennrm.statistics.models import SyntheticDataset
from opennrm.statistics.sealed import seal

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class SealedExport:
    token: str
    password: str
    rows: int
    path: Path


def export_dir() -> Path:
    return Path(settings.VAR_DIR) / "exports"


def _path(actor: User, token: str) -> Path:
    # The owner's id is part of the name, so one user can never fetch another's export.
    return export_dir() / f"htcds-{actor.pk}-{token}.onrmseal"


def htcds_export_create(*, actor: User, recipient: str, purpose: str) -> SealedExport:
    """Write the HTCDS case-level export (CSV and XLSX in a ZIP) sealed under a new random
    password, and audit the disclosure with its recipient. Requires ``export.htcds``. The
    password is returned once and never stored."""
    policy.require(actor, "export.htcds")
    recipient, purpose = recipient.strip(), purpose.strip()
    errors = {}
    if not recipient:
        errors["recipient"] = _("Name the organisation that will receive the data.")
    if not purpose:
        errors["purpose"] = _("State why the data are disclosed.")
    if errors:
        raise ValidationFailed(_("The export needs a recipient and a purpose."), fields=errors)
    import xlsxwriter

    token, password = secrets.token_urlsafe(24), secrets.token_urlsafe(15)
    export_dir().mkdir(parents=True, exist_ok=True)
    count = 0
    with tempfile.TemporaryFile() as plain, tempfile.TemporaryFile() as sheet:
        workbook = xlsxwriter.Workbook(sheet, {"constant_memory": True, "in_memory": False})
        worksheet = workbook.add_worksheet("HTCDS")
        worksheet.write_row(0, 0, htcds.HEADERS)
        with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as archive:
            with archive.open("htcds.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer = csv.writer(text)
                writer.writerow(htcds.HEADERS)
                for row in htcds.htcds_rows(actor=actor):
                    count += 1
                    cells = [safe_cell(v) for v in row]
                    writer.writerow(cells)
                    worksheet.write_row(count, 0, cells)
                text.flush()
                text.detach()
            workbook.close()
            sheet.seek(0)
            with archive.open("htcds.xlsx", "w") as target:
                while block := sheet.read(1 << 16):
                    target.write(block)
        plain.seek(0)
        path = _path(actor, token)
        with transaction.atomic():
            with path.open("wb") as handle:
                seal(plain, handle, password)
            record(
                actor=actor,
                verb="statistics.export_htcds",
                target_type="statistics.htcds",
                target_id=token[:16],
                target_label=f"{count} cases",
                purpose=purpose,
                recipient=recipient[:200],
                changes={"created": timezone.now().isoformat()},
            )
    return SealedExport(token=token, password=password, rows=count, path=path)


def htcds_export_take(*, actor: User, token: str) -> Path:
    """The sealed file of ``actor``'s export ``token`` for one download; requires
    ``export.htcds``. The caller deletes it once sent."""
    policy.require(actor, "export.htcds")
    path = _path(actor, token) if _TOKEN.match(token) else None
    if path is None or not path.exists():
        raise NotFoundError(_("This export does not exist or was already downloaded."))
    record(
        actor=actor,
        verb="statistics.download_htcds",
        target_type="statistics.htcds",
        target_id=token[:16],
        purpose="download of a sealed export",
    )
    return path


# A dataset still queued or being made this long after it was asked for is taken as lost (the
# worker stopped): it no longer holds back a new request.
SYNTHETIC_STALE_AFTER = timedelta(hours=6)


def synthetic_request(*, actor: User, epsilon: float | None = None) -> SyntheticDataset:
    """Ask the background worker for a synthetic dataset of every case (``tasks.make_synthetic``
    after commit); requires ``export.ctdc``. ``epsilon`` may lower the setting, never raise it.
    Refused at once when there are too few cases. While one dataset is being made, asking again
    returns that one: a second synthesis would only compete with it for the CPUs."""
    from opennrm.statistics import synthetic
    from opennrm.statistics.tasks import make_synthetic

    policy.require(actor, "export.ctdc")
    epsilon = synthetic.budget(epsilon)
    synthetic.require_enough(synthetic.case_count())
    with transaction.atomic():
        pending = (
            SyntheticDataset.objects.select_for_update()
            .filter(
                status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
                created_at__gte=timezone.now() - SYNTHETIC_STALE_AFTER,
            )
            .first()
        )
        if pending is not None:
            return pending
        dataset = SyntheticDataset.objects.create(
            epsilon=epsilon, k=settings.OPENNRM_CTDC_K, requested_by=actor
        )
        record(
            actor=actor,
            verb="statistics.synthetic.request",
            target=dataset,
            changes={"epsilon": [None, epsilon], "k": [None, dataset.k]},
        )
        dataset_id = dataset.pk
        transaction.on_commit(lambda: make_synthetic.enqueue(dataset_id))
    return dataset


def synthetic_make(*, dataset_id: int) -> SyntheticDataset:
    """Make a queued synthetic dataset (the background worker): synthesise on every CPU, keep the
    released rows as a CSV file and the utility beside it. Progress is saved as the parts are
    done, for the page that polls it; a refusal (its message) or a crash (re-raised for the
    worker's log) marks the dataset failed rather than leaving it "being generated"."""
    import os

    from django.core.files.base import ContentFile

    from opennrm.core.exports import csv_stream
    from opennrm.statistics import synthetic

    dataset = SyntheticDataset.objects.select_related("requested_by").get(pk=dataset_id)
    if dataset.status != JobStatus.QUEUED:
        return dataset  # already made (a task run twice)

    def save_progress(done: int, parts: int) -> None:
        # Reading the cases ~10 %, the parts up to 90 %, the k rule and the utility the rest.
        SyntheticDataset.objects.filter(pk=dataset.pk).update(
            status=JobStatus.RUNNING, progress=10 + 80 * done // max(parts, 1)
        )

    save_progress(0, 1)
    try:
        headers, rows, utility = synthetic.synthetic_release(
            actor=dataset.requested_by,
            epsilon=dataset.epsilon,
            processes=os.cpu_count() or 1,
            progress=save_progress,
        )
    except ValidationFailed as error:
        SyntheticDataset.objects.filter(pk=dataset.pk).update(
            status=JobStatus.FAILED, error=error.message, finished_at=timezone.now()
        )
        dataset.refresh_from_db()
        return dataset
    except Exception:
        # The page shows ``error`` to the user: a refusal's message, never a crash's internals
        # (the worker's log keeps the traceback); the page says to try again or tell the
        # administrator.
        SyntheticDataset.objects.filter(pk=dataset.pk).update(
            status=JobStatus.FAILED, finished_at=timezone.now()
        )
        raise
    content = "".join(csv_stream(headers, rows)).encode("utf-8")
    with transaction.atomic():
        dataset.file.save(
            f"synthetic-{timezone.localdate().isoformat()}-{dataset.pk}.csv",
            ContentFile(content),
            save=False,
        )
        dataset.status, dataset.progress = JobStatus.DONE, 100
        dataset.finished_at = timezone.now()
        dataset.records_true = utility.records_true
        dataset.records_released = utility.records_released
        dataset.one_way_mean = utility.one_way_mean
        dataset.two_way_mean = utility.two_way_mean
        dataset.save(
            update_fields=[
                "file",
                "status",
                "progress",
                "finished_at",
                "records_true",
                "records_released",
                "one_way_mean",
                "two_way_mean",
            ]
        )
        synthetic_prune(keep=settings.OPENNRM_SYNTHETIC_KEEP)
    return dataset


def synthetic_prune(*, keep: int) -> list[int]:
    """Remove the made synthetic datasets beyond the newest ``keep`` (at least one is kept),
    and the failed and lost ones (still pending ``SYNTHETIC_STALE_AFTER`` after they were asked
    for) asked for before the oldest dataset kept: their records now, their files once the
    transaction commits. The worker calls it when it has made a dataset, so the files of
    superseded datasets (a million rows each) do not pile up on the disk. Audited as one system
    entry naming the datasets removed; returns their ids."""
    made = SyntheticDataset.objects.filter(status=JobStatus.DONE).order_by("-created_at", "-id")
    kept = list(made[: max(keep, 1)])
    if not kept:
        return []
    older = made.exclude(pk__in=[dataset.pk for dataset in kept])
    failed = SyntheticDataset.objects.filter(created_at__lt=kept[-1].created_at).filter(
        Q(status=JobStatus.FAILED)
        | Q(
            status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
            created_at__lt=timezone.now() - SYNTHETIC_STALE_AFTER,
        )
    )
    removed = list(older.select_for_update()) + list(failed.select_for_update())
    if not removed:
        return []
    names = [dataset.file.name for dataset in removed if dataset.file.name]
    ids = sorted(dataset.pk for dataset in removed)
    SyntheticDataset.objects.filter(pk__in=ids).delete()
    record(
        actor=None,
        actor_label="background worker",
        verb="statistics.synthetic.prune",
        target_type="statistics.synthetic",
        target_label=f"{len(ids)} superseded synthetic datasets",
        purpose="retention of public synthetic microdata files",
        changes={"removed": ids, "kept": [dataset.pk for dataset in kept]},
    )
    storage = SyntheticDataset._meta.get_field("file").storage

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return ids
