"""Background work of the import pipeline, run by ``manage.py db_worker`` (django.tasks)."""

from __future__ import annotations

from django.tasks import task

from opennrm.imports import services


@task()
def run_import_job(job_id: str) -> dict[str, object]:
    """Run a queued import job (``services.job_queue``); its progress and report are in its row."""
    job = services.job_run(job_id=job_id)
    return dict(job.result) if job is not None else {}
