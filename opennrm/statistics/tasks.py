"""Background work of the statistics app (django.tasks; ``manage.py db_worker`` runs it)."""

from __future__ import annotations

from django.tasks import task


# Minutes of every CPU at a million cases: the "long" queue's own worker (settings.TASKS).
@task(queue_name="long")
def make_synthetic(dataset_id: int) -> None:
    from opennrm.statistics.services import synthetic_make

    synthetic_make(dataset_id=dataset_id)


# Tens of seconds of one CPU at a million cases (the recoding needs every case before the first
# row), apart from the short jobs of the default queue.
@task(queue_name="long")
def make_ctdc(export_id: int) -> None:
    from opennrm.statistics.services import ctdc_make

    ctdc_make(export_id=export_id)
