"""Writes of the import pipeline: start a job from an upload, confirm its column mapping, remember
value mappings, queue it, and run it (the background task's body).

Each step checks the spec's permission and that the job is the caller's own; a job belongs to the
person who uploaded it and nobody else sees it (another person's job is "not found").
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.core.errors import DomainError, NotFoundError, ValidationFailed
from opennrm.core.tabular import RowError, TabularError
from opennrm.imports import pipeline
from opennrm.imports.models import ColumnMapping, ImportJob, Stage, ValueMapping
from opennrm.imports.spec import ImportSpec, Preview, Progress, Result, get_spec, match_key

UPLOAD_TTL = timedelta(days=1)
REPORT_ERRORS = 10_000


def spec_for(key: str, *, target: str = "") -> ImportSpec:
    try:
        return get_spec(key, target=target)
    except KeyError:
        raise NotFoundError(_("There is no such import.")) from None


def job_get(*, actor: User, job_id: str | uuid.UUID) -> ImportJob:
    """The caller's own job (NotFoundError for anyone else's, or none)."""
    try:
        job = ImportJob.objects.get(pk=job_id, actor=actor)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise NotFoundError(_("There is no such import.")) from None
    policy.require(actor, spec_for(job.spec, target=job.target).permission)
    return job


def job_list(*, actor: User, limit: int = 20) -> list[ImportJob]:
    """The caller's own most recent jobs, newest first."""
    return list(ImportJob.objects.filter(actor=actor).order_by("-created_at")[:limit])


def _prune() -> None:
    """Uploads of jobs left unfinished for a day are dropped (their files hold personal data)."""
    ImportJob.objects.filter(
        updated_at__lt=timezone.now() - UPLOAD_TTL, upload__isnull=False
    ).update(upload=None)


def job_create(
    *, actor: User, spec_key: str, target: str = "", filename: str, data: bytes
) -> ImportJob:
    """Store an upload as a new job with the column mapping suggested for it.

    The mapping is the one last confirmed for a file of the same layout from the caller's agency,
    else the one suggested by the columns' names and aliases. Raises ``TabularError`` when the
    file cannot be read; needs the spec's permission.
    """
    spec = spec_for(spec_key, target=target)
    policy.require(actor, spec.permission)
    _prune()
    probe = ImportJob(filename=filename[:200], upload=pipeline.pack_upload(data))
    header, _rows = pipeline.read_source(probe, spec)
    if not any(cell.strip() for cell in header):
        raise TabularError([RowError(1, "", _("The first row of the file has no column names."))])
    signature = pipeline.header_signature(header)
    saved = ColumnMapping.objects.filter(
        spec=spec_key, agency=actor.agency, signature=signature
    ).first()
    known = {column.key for column in spec.columns()}
    if saved is not None and len(saved.mapping) == len(header):
        mapping = [key if key in known else "" for key in saved.mapping]
    else:
        mapping = spec.suggest(header, pipeline.suggest_mapping(header, spec.columns()))
    with transaction.atomic():
        job = ImportJob.objects.create(
            spec=spec_key,
            target=target,
            language=translation.get_language() or "",
            actor=actor,
            agency=actor.agency,
            filename=probe.filename,
            upload=probe.upload,
            header=header,
            signature=signature,
            mapping=mapping,
        )
        record(
            actor=actor,
            verb="import.upload",
            target_type="imports.importjob",
            target_id=str(job.pk),
            target_label=spec_key,
            changes={"columns": len(header)},
        )
    return job


def job_map_columns(*, actor: User, job: ImportJob, mapping: Sequence[str]) -> ImportJob:
    """Confirm the column mapping (a column key or "" per header cell) and remember it for files
    of the same layout from the caller's agency. ValidationFailed names what is wrong."""
    spec = spec_for(job.spec, target=job.target)
    policy.require(actor, spec.permission)
    if job.actor_id != actor.pk:
        raise NotFoundError(_("There is no such import."))
    if job.stage != Stage.UPLOADED:
        raise ValidationFailed(_("This import has already started; upload the file again."))
    columns = spec.columns()
    known = {column.key for column in columns}
    cleaned = [key if key in known else "" for key in mapping][: len(job.header)]
    cleaned += [""] * (len(job.header) - len(cleaned))
    problems = pipeline.mapping_problems(cleaned, columns)
    if problems:
        raise ValidationFailed(" ".join(problems))
    with transaction.atomic():
        job.mapping = cleaned
        job.save(update_fields=["mapping", "updated_at"])
        ColumnMapping.objects.update_or_create(
            spec=job.spec,
            agency=actor.agency,
            signature=job.signature,
            defaults={"mapping": cleaned},
        )
        record(
            actor=actor,
            verb="import.map_columns",
            target_type="imports.importjob",
            target_id=str(job.pk),
            target_label=job.spec,
            changes={"mapped": sum(1 for key in cleaned if key)},
        )
    return job


def values_remember(*, actor: User, job: ImportJob, choices: Mapping[tuple[str, str], str]) -> int:
    """Remember, for the caller's agency, what values mean: ``{(column key, raw): code}``.

    Each code must be one the column's vocabulary offers. Returns how many were saved.
    """
    spec = spec_for(job.spec, target=job.target)
    policy.require(actor, spec.permission)
    if job.actor_id != actor.pk:
        raise NotFoundError(_("There is no such import."))
    by_key = {column.key: column for column in spec.columns()}
    rows: list[tuple[str, str, str]] = []
    for (column_key, raw), code in choices.items():
        column = by_key.get(column_key)
        if column is None or column.vocabulary is None or not code:
            continue
        if code not in {c for c, _label in column.vocabulary.choices()}:
            raise ValidationFailed(
                _("“%(code)s” is not a value of “%(column)s”.")
                % {"code": code, "column": column.label}
            )
        rows.append((column.vocabulary.name, match_key(raw)[:200], code))
    with transaction.atomic():
        for vocabulary, raw_key, code in rows:
            ValueMapping.objects.update_or_create(
                vocabulary=vocabulary,
                agency=actor.agency,
                raw=raw_key,
                defaults={"code": code, "created_by": actor},
            )
        if rows:
            record(
                actor=actor,
                verb="import.map_values",
                target_type="imports.importjob",
                target_id=str(job.pk),
                target_label=job.spec,
                changes={"values": [f"{v}:{r}→{c}" for v, r, c in rows][:50]},
            )
    return len(rows)


def job_unknown_values(*, actor: User, job: ImportJob) -> list[pipeline.Unknown]:
    """Values of the job's vocabulary columns nothing recognises yet (read only)."""
    spec = spec_for(job.spec, target=job.target)
    policy.require(actor, spec.permission)
    _header, rows = pipeline.read_source(job, spec)
    return pipeline.unknown_values(
        rows, job.mapping, spec.columns(), pipeline.load_value_maps(job.agency_id)
    )


def _rows(job: ImportJob, spec: ImportSpec) -> Any:
    header, rows = pipeline.read_source(job, spec)
    return pipeline.mapped_rows(
        header, rows, job.mapping, spec.columns(), pipeline.load_value_maps(job.agency_id)
    )


def job_preview(*, actor: User, job: ImportJob) -> Preview:
    """What committing the job would do (read only): the spec's preview over the mapped rows."""
    spec = spec_for(job.spec, target=job.target)
    policy.require(actor, spec.permission)
    if not job.upload:
        raise ValidationFailed(_("The uploaded file is no longer kept; upload it again."))
    return spec.preview(_rows(job, spec), actor=actor)


def _own_job(actor: User, job: ImportJob) -> None:
    """Only the one who uploaded a job may start it (anyone else: as if it did not exist)."""
    policy.require(actor, spec_for(job.spec, target=job.target).permission)
    if job.actor_id != actor.pk:
        raise NotFoundError(_("There is no such import."))


def _enqueue(actor: User, job: ImportJob, *, verb: str, fields: list[str]) -> None:
    """Save ``job`` queued (``fields`` with its stage), audit ``verb``, and hand it to the
    background worker once the caller's transaction commits."""
    from opennrm.imports.tasks import run_import_job

    job.stage = Stage.QUEUED
    job.save(update_fields=["stage", *fields, "updated_at"])
    record(
        actor=actor,
        verb=verb,
        target_type="imports.importjob",
        target_id=str(job.pk),
        target_label=job.spec,
    )
    job_id = str(job.pk)
    transaction.on_commit(lambda: run_import_job.enqueue(job_id))


def job_queue(*, actor: User, job: ImportJob) -> ImportJob:
    """Hand the job to the background worker (after this transaction commits)."""
    _own_job(actor, job)
    if job.stage != Stage.UPLOADED:
        return job  # a second click on "Import" starts nothing new
    with transaction.atomic():
        _enqueue(actor, job, verb="import.queue", fields=[])
    return job


def job_resume(*, actor: User, job: ImportJob) -> ImportJob:
    """Hand an interrupted job (``ImportJob.interrupted``: the worker stopped or was restarted
    with it, and nothing was imported) to the worker again, from the file it still keeps. Only
    its owner may; a job still waiting, importing or ended is refused with the reason, and
    nothing changes."""
    _own_job(actor, job)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not job.interrupted:
            raise ValidationFailed(
                _("This import is not interrupted: it is waiting, importing or has ended.")
            )
        if not job.upload:
            raise ValidationFailed(_("The uploaded file is no longer kept; upload it again."))
        job.done = 0
        _enqueue(actor, job, verb="import.resume", fields=["done"])
    return job


class _ProgressWriter:
    """Progress seen by other processes while the import's transaction is still open.

    On PostgreSQL a second connection (autocommit) writes it, at most twice a second. SQLite
    allows one writer at a time, so there progress is written only before and after the import.
    """

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.last = 0.0
        self.side = (
            connections.create_connection("default") if connection.vendor == "postgresql" else None
        )

    def __call__(self, done: int, total: int) -> None:
        self.job.done, self.job.total = done, total
        now = time.monotonic()
        if self.side is None or (now - self.last < 0.5 and done < total):
            return
        self.last = now
        with self.side.cursor() as cursor:
            # ``updated_at`` with it: progress written lately tells a running job from an
            # interrupted one (``ImportJob.interrupted``).
            cursor.execute(
                "UPDATE imports_importjob SET done = %s, total = %s, updated_at = %s WHERE id = %s",
                [done, total, timezone.now(), self.job.pk],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _report(errors: Sequence[RowError], result: Result | None) -> str:
    return json.dumps(
        {
            "errors": [[e.row, e.column, e.message] for e in errors[:REPORT_ERRORS]],
            "outcomes": [list(o) for o in result.outcomes] if result is not None else [],
        },
        ensure_ascii=False,
    )


class _Reread:
    """The job's mapped rows, read from its stored file again on every pass (``ImportSpec.commit``
    may take two): the compressed file is all that stays in memory between passes."""

    def __init__(self, job: ImportJob, spec: ImportSpec) -> None:
        self.job, self.spec = job, spec

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return iter(_rows(self.job, self.spec))


def _execute(job: ImportJob, spec: ImportSpec, progress: Progress) -> Result:
    """Commit the job's rows and its audit entry in one transaction (raises, writes nothing)."""
    actor = job.actor
    policy.require(actor, spec.permission)
    rows = _Reread(job, spec)
    with transaction.atomic():
        result = spec.commit(rows, actor=actor, progress=progress)
        record(
            actor=actor,
            verb="import.commit",
            target_type="imports.importjob",
            target_id=str(job.pk),
            target_label=job.spec,
            changes={
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "skipped": result.skipped,
            },
        )
    return result


def _succeeded(job: ImportJob, result: Result) -> None:
    job.stage = Stage.DONE
    job.done = job.total = result.rows
    job.result = {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "skipped": result.skipped,
        "details": [[str(label), count] for label, count in result.details],
    }
    _finish(job, [], result)


def job_run(*, job_id: str) -> ImportJob | None:
    """Run a queued job to its end (the background task): all rows or none.

    The job's file is dropped when it ends; the counts, the message and the report stay.
    """
    job = ImportJob.objects.filter(pk=job_id).select_related("actor").first()
    if job is None or job.stage not in (Stage.QUEUED, Stage.RUNNING):
        return job
    with translation.override(job.language or None):
        spec = spec_for(job.spec, target=job.target)
        job.stage = Stage.RUNNING
        job.save(update_fields=["stage", "updated_at"])
        progress = _ProgressWriter(job)
        try:
            result = _execute(job, spec, progress)
        except TabularError as problem:
            job.stage, job.message = Stage.FAILED, problem.message
            _finish(job, problem.errors, None)
        except DomainError as problem:
            job.stage, job.message = Stage.FAILED, problem.message
            _finish(job, [], None)
        except Exception:
            job.stage = Stage.FAILED
            job.message = _("The import failed unexpectedly. Nothing was changed.")
            _finish(job, [], None)
            raise
        else:
            _succeeded(job, result)
        finally:
            progress.close()
    return job


def import_file(
    *, actor: User, spec_key: str, target: str = "", filename: str, data: bytes
) -> Result:
    """Import a file at once with the suggested (or remembered) column mapping and the agency's
    value mappings: the pipeline for the API and management commands. Raises ``TabularError``
    naming every problem (nothing written) or returns what was done; the job records it."""
    job = job_create(actor=actor, spec_key=spec_key, target=target, filename=filename, data=data)
    spec = spec_for(spec_key, target=target)
    problems = pipeline.mapping_problems(job.mapping, spec.columns())
    if problems:
        job.stage, job.message = Stage.FAILED, " ".join(problems)
        _finish(job, [], None)
        raise TabularError([RowError(1, "", problem) for problem in problems])
    job_map_columns(actor=actor, job=job, mapping=job.mapping)
    job.stage = Stage.RUNNING
    try:
        result = _execute(job, spec, lambda done, total: None)
    except TabularError as problem:
        job.stage, job.message = Stage.FAILED, problem.message
        _finish(job, problem.errors, None)
        raise
    except DomainError as problem:
        job.stage, job.message = Stage.FAILED, problem.message
        _finish(job, [], None)
        raise
    _succeeded(job, result)
    return result


def _finish(job: ImportJob, errors: Sequence[RowError], result: Result | None) -> None:
    job.upload = None
    job.report = _report(errors, result)
    job.save()


def job_report(job: ImportJob) -> dict[str, list[list[Any]]]:
    data: dict[str, list[list[Any]]] = json.loads(job.report) if job.report else {}
    return {"errors": data.get("errors", []), "outcomes": data.get("outcomes", [])}
