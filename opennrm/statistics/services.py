"""Writes of the statistics app: sealed HTCDS exports for partners; the public microdata files
(CTDC k-anonymous microdata, synthetic datasets) made by the background worker."""

from __future__ import annotations

import csv
import io
import re
import secrets
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.core.errors import DomainError, NotFoundError, ValidationFailed
from opennrm.core.exports import safe_cell
from opennrm.core.models import JobStatus
from opennrm.statistics import htcds
from opennrm.statistics.models import CtdcExport, SyntheticDataset
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


# Two requests at the same instant must not both find no file pending and both queue one: a row
# lock covers only a row that exists, so PostgreSQL takes a transaction-level advisory lock per
# kind of file first (the second request waits for the first to commit, then finds its file).
# SQLite's transactions are IMMEDIATE (settings): requests there are already one at a time.
_PENDING_LOCKS = {SyntheticDataset: 73_001, CtdcExport: 73_002}


def _pending[M: (SyntheticDataset, CtdcExport)](model: type[M]) -> M | None:
    """The file of ``model`` being made (queued or running, not yet taken as lost), locked; to be
    called in the transaction that queues a new one when there is none."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PENDING_LOCKS[model]])
    return model.objects.select_for_update().filter(model.alive_q(timezone.now())).first()


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
        pending = _pending(SyntheticDataset)
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
        SyntheticDataset.save_progress(dataset.pk, 10 + 80 * done // max(parts, 1))

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
    """Remove the made synthetic datasets beyond the newest ``keep`` (``_prune``); the worker
    calls it when it has made one, so the files of superseded datasets (a million rows each) do
    not pile up on the disk. Returns the ids removed."""
    return _prune(
        SyntheticDataset,
        keep=keep,
        verb="statistics.synthetic.prune",
        target_type="statistics.synthetic",
        label="superseded synthetic datasets",
        purpose="retention of public synthetic microdata files",
    )


def _prune(
    model: type[SyntheticDataset] | type[CtdcExport],
    *,
    keep: int,
    verb: str,
    target_type: str,
    label: str,
    purpose: str,
) -> list[int]:
    """Remove the made files of ``model`` beyond the newest ``keep`` (at least one is kept), and
    the failed and lost ones (``WorkerFile.lost``) asked for before the oldest one kept: their
    records now, their files once the transaction commits. Audited as one system entry naming the records removed; returns their ids."""
    made = model.objects.filter(status=JobStatus.DONE).order_by("-created_at", "-id")
    kept = list(made[: max(keep, 1)])
    if not kept:
        return []
    older = made.exclude(pk__in=[made_file.pk for made_file in kept])
    failed = model.objects.filter(created_at__lt=kept[-1].created_at).filter(
        Q(status=JobStatus.FAILED)
        | (Q(status__in=(JobStatus.QUEUED, JobStatus.RUNNING)) & ~model.alive_q(timezone.now()))
    )
    removed: Sequence[SyntheticDataset | CtdcExport] = [
        *older.select_for_update(),
        *failed.select_for_update(),
    ]
    if not removed:
        return []
    names = [made_file.file.name for made_file in removed if made_file.file.name]
    ids = sorted(made_file.pk for made_file in removed)
    model.objects.filter(pk__in=ids).delete()
    record(
        actor=None,
        actor_label="background worker",
        verb=verb,
        target_type=target_type,
        target_label=f"{len(ids)} {label}",
        purpose=purpose,
        changes={"removed": ids, "kept": [made_file.pk for made_file in kept]},
    )
    storage = model._meta.get_field("file").storage

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return ids


# --- CTDC microdata (made by the background worker: the recoding needs every case first) ------


# The largest group size asked for: beyond it nearly every value is withheld (and a larger number
# is no group size anyone means).
CTDC_K_MAX = 1000


def ctdc_request(*, actor: User, k: int | None = None) -> CtdcExport:
    """Ask the background worker for a CTDC microdata file of every case (``tasks.make_ctdc``
    after commit); requires ``export.ctdc``. ``k`` may raise the setting ``OPENNRM_CTDC_K`` up
    to ``CTDC_K_MAX``, never lower it (refused, field ``k``). While one is being made, asking
    again returns that one: the same cases would be recoded twice."""
    from opennrm.statistics.tasks import make_ctdc

    policy.require(actor, "export.ctdc")
    if k is not None and k < settings.OPENNRM_CTDC_K:
        message = _("k must be at least %(minimum)d (the setting OPENNRM_CTDC_K).") % {
            "minimum": settings.OPENNRM_CTDC_K
        }
        raise ValidationFailed(message, fields={"k": message})
    if k is not None and k > CTDC_K_MAX:
        message = _(
            "k must be at most %(maximum)d: groups that large would release almost nothing."
        ) % {"maximum": CTDC_K_MAX}
        raise ValidationFailed(message, fields={"k": message})
    with transaction.atomic():
        pending = _pending(CtdcExport)
        if pending is not None:
            return pending
        export = CtdcExport.objects.create(k=k or settings.OPENNRM_CTDC_K, requested_by=actor)
        record(
            actor=actor,
            verb="statistics.ctdc.request",
            target=export,
            changes={"k": [None, export.k]},
        )
        export_id = export.pk
        transaction.on_commit(lambda: make_ctdc.enqueue(export_id))
    return export


def ctdc_make(*, export_id: int) -> CtdcExport:
    """Make a queued CTDC file (the background worker): recode every case
    (``exports.ctdc_release``, audited there with the loss per column), write the rows to a
    temporary file and keep it with the export report. A refusal (the one who asked no longer
    holds ``export.ctdc``) marks the export failed with its message; a crash marks it failed (the
    traceback goes to the worker's log, not to the page) and is re-raised."""
    from django.core.files import File

    from opennrm.core.exports import csv_stream
    from opennrm.statistics.exports import ctdc_release, loss_shares

    export = CtdcExport.objects.select_related("requested_by").get(pk=export_id)
    if export.status != JobStatus.QUEUED:
        return export  # already made (a task run twice)
    CtdcExport.save_progress(export.pk, 10)
    try:
        with tempfile.TemporaryFile("w+b") as handle:
            headers, rows, report = ctdc_release(actor=export.requested_by, k=export.k)
            CtdcExport.save_progress(export.pk, 60)
            for chunk in csv_stream(headers, rows):
                handle.write(chunk.encode("utf-8"))
            handle.seek(0)
            with transaction.atomic():
                export.file.save(
                    f"ctdc-{timezone.localdate().isoformat()}-{export.pk}.csv",
                    File(handle),
                    save=False,
                )
                export.status, export.progress = JobStatus.DONE, 100
                export.finished_at = timezone.now()
                export.records_read = report.records_read
                export.records_released = report.records_released
                export.records_suppressed = report.records_suppressed
                export.loss = loss_shares(report)
                export.save(
                    update_fields=[
                        "file",
                        "status",
                        "progress",
                        "finished_at",
                        "records_read",
                        "records_released",
                        "records_suppressed",
                        "loss",
                    ]
                )
                ctdc_prune(keep=settings.OPENNRM_CTDC_KEEP)
    except DomainError as error:
        # A refusal, e.g. the one who asked no longer may export: its message is for the page.
        CtdcExport.objects.filter(pk=export.pk).update(
            status=JobStatus.FAILED, error=error.message, finished_at=timezone.now()
        )
        export.refresh_from_db()
        return export
    except Exception:
        CtdcExport.objects.filter(pk=export.pk).update(
            status=JobStatus.FAILED, finished_at=timezone.now()
        )
        raise
    return export


def ctdc_prune(*, keep: int) -> list[int]:
    """Remove the made CTDC files beyond the newest ``keep`` (``_prune``): each is superseded by
    the newer ones, made from the register as it was later. Returns the ids removed."""
    return _prune(
        CtdcExport,
        keep=keep,
        verb="statistics.ctdc.prune",
        target_type="statistics.ctdc",
        label="superseded CTDC microdata files",
        purpose="retention of public CTDC microdata files",
    )
