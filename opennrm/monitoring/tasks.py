"""Background rendering of progress reports (django.tasks; ``manage.py db_worker`` runs them)."""

from __future__ import annotations

from django.tasks import task


@task()
def render_report(rendition_id: int) -> None:
    from opennrm.monitoring.services import rendition_render

    rendition_render(rendition_id=rendition_id)
