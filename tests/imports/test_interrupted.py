"""An import the worker never finished — it stopped or was restarted while the job waited or ran
(an upgrade restarts it) — is said to be interrupted, not polled for ever: its transaction was
rolled back, so nothing was imported, and its owner may run it again from the kept file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from opennrm.audit.models import AuditEntry
from opennrm.cases.models import Case
from opennrm.imports.models import ImportJob, Stage
from tests.imports.test_pipeline import walk_to_values_mapped


def _queued_then_lost(client, capture, *, stage: str, ago: timedelta) -> ImportJob:
    """A job through the pipeline to "Import", whose worker then died (no task runs)."""
    job_id = walk_to_values_mapped(client)
    with capture(execute=False):
        client.post(f"/imports/jobs/{job_id}/preview/")
    ImportJob.objects.filter(pk=job_id).update(
        stage=stage,
        done=1 if stage == Stage.RUNNING else 0,
        total=3,
        updated_at=timezone.now() - ago,
    )
    return ImportJob.objects.get(pk=job_id)


@pytest.mark.parametrize(
    ("stage", "ago"),
    [
        pytest.param(Stage.RUNNING, ImportJob.stalled_after + timedelta(minutes=1), id="running"),
        pytest.param(Stage.QUEUED, ImportJob.lost_after + timedelta(minutes=1), id="queued"),
    ],
)
def test_an_interrupted_import_says_so_and_runs_again_from_the_kept_file(
    client_for, django_capture_on_commit_callbacks, stage, ago
) -> None:
    vesna = client_for("vesna")
    job = _queued_then_lost(vesna, django_capture_on_commit_callbacks, stage=stage, ago=ago)
    assert Case.objects.count() == 0

    fragment = vesna.get(f"/imports/jobs/{job.pk}/", headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "hx-trigger" not in text
    assert "The import was interrupted" in text
    assert "Nothing was imported" in text
    assert f'action="/imports/jobs/{job.pk}/resume/"' in text
    page = vesna.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in page
    serbian = vesna.get(
        f"/imports/jobs/{job.pk}/", headers={"HX-Request": "true"}, HTTP_ACCEPT_LANGUAGE="sr"
    ).content.decode()
    assert "прекинут" in serbian

    # Someone else's job: not theirs to run (as if it did not exist).
    assert client_for("ana").post(f"/imports/jobs/{job.pk}/resume/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = vesna.post(f"/imports/jobs/{job.pk}/resume/")
    assert response.status_code == 302
    assert response["Location"] == f"/imports/jobs/{job.pk}/"
    job.refresh_from_db()
    assert (job.stage, job.result["created"]) == (Stage.DONE, 3)
    assert Case.objects.count() == 3
    assert AuditEntry.objects.filter(verb="import.resume", target_id=str(job.pk)).count() == 1


def test_an_import_still_running_or_ended_cannot_be_started_twice(
    client_for, django_capture_on_commit_callbacks
) -> None:
    """Progress a minute ago: the worker is on it. Asked to run again, it is refused with the
    reason and nothing changes; the same once the job has ended."""
    vesna = client_for("vesna")
    job = _queued_then_lost(
        vesna, django_capture_on_commit_callbacks, stage=Stage.RUNNING, ago=timedelta(minutes=1)
    )
    text = vesna.get(f"/imports/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in text
    assert "interrupted" not in text

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = vesna.post(f"/imports/jobs/{job.pk}/resume/", follow=True)
    assert callbacks == []
    assert "This import is not interrupted" in response.content.decode()
    job.refresh_from_db()
    assert (job.stage, job.done) == (Stage.RUNNING, 1)
    assert Case.objects.count() == 0
    assert not AuditEntry.objects.filter(verb="import.resume").exists()
