"""Import jobs live in the database: any web server or worker serves them; keys rotate over them."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import override_settings

from opennrm.core import crypto
from opennrm.core.management.commands.rotate_keys import columns_for
from opennrm.demo.base import ensure_personas
from opennrm.imports import pipeline, services
from opennrm.imports.models import ImportJob, Stage
from tests.imports.test_pipeline import upload_file

KEY_A = "A:" + base64.b64encode(b"a" * 32).decode()
KEY_B = "B:" + base64.b64encode(b"b" * 32).decode()


def test_the_progress_fragment_polls_the_job_row_until_it_ends(personas, client_for) -> None:
    vesna = client_for("vesna")
    job = ImportJob.objects.create(
        spec="cases",
        actor=personas["vesna"],
        filename="big.csv",
        stage=Stage.RUNNING,
        done=500,
        total=2000,
    )
    fragment = vesna.get(f"/imports/jobs/{job.pk}/", headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in text
    assert 'value="25"' in text
    assert "Importing: 500 of 2000 rows" in text
    page = vesna.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    ImportJob.objects.filter(pk=job.pk).update(stage=Stage.DONE, result={"rows": 2000})
    text = vesna.get(f"/imports/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in text
    assert "Imported: 2000 rows read" in text


def test_the_upload_and_report_are_encrypted_at_rest(personas, client_for) -> None:
    vesna = client_for("vesna")
    vesna.post("/imports/cases/", {"file": upload_file()})
    job = ImportJob.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT upload, filename FROM imports_importjob")
        upload, filename = cursor.fetchone()
    assert upload.startswith(f"{crypto.PREFIX}:")  # a ciphertext token, not the base64 file
    assert upload != job.upload
    assert crypto.decrypt(upload, context="imports.importjob.upload") == job.upload
    stored = pipeline.unpack_upload(job.upload)
    assert stored.decode().splitlines()[1].startswith("Jovana,Petrović")
    assert filename != "register.csv"
    assert crypto.decrypt(filename, context="imports.importjob.filename") == "register.csv"


def test_a_stored_upload_is_compressed_and_jobs_stored_before_still_read() -> None:
    register = (
        "cas_CaseId,prs_FirstName\n" + "".join(f"R-{n},Jovana\n" for n in range(5000))
    ).encode()
    stored = pipeline.pack_upload(register)
    assert len(stored) < len(base64.b64encode(register)) / 4
    assert pipeline.unpack_upload(stored) == register
    # A job uploaded before compression holds the file as plain base64: it still reads.
    assert pipeline.unpack_upload(base64.b64encode(register).decode("ascii")) == register


def test_rotate_keys_covers_the_import_jobs(agencies) -> None:
    labels = {column.label for column in columns_for()}
    assert {
        "imports_importjob.upload",
        "imports_importjob.report",
        "imports_importjob.filename",
    } <= labels
    with override_settings(OPENNRM_DATA_KEYS=KEY_A):
        personas = ensure_personas(agencies)
        job = services.job_create(
            actor=personas["vesna"],
            spec_key="cases",
            filename="register.csv",
            data=upload_file().read(),
        )
    with override_settings(OPENNRM_DATA_KEYS=f"{KEY_A},{KEY_B}"):
        call_command("rotate_keys", stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT upload FROM imports_importjob")
        (token,) = cursor.fetchone()
    assert crypto.key_id_of(token) == "B"
    with override_settings(OPENNRM_DATA_KEYS=KEY_B):
        assert ImportJob.objects.get(pk=job.pk).upload == job.upload


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_by_other_processes_while_the_import_transaction_is_open(
    agencies, audit_flushable
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: progress is written before and after the import")
    personas = ensure_personas(agencies)
    job = ImportJob.objects.create(spec="cases", actor=personas["vesna"], stage=Stage.RUNNING)
    writer = services._ProgressWriter(job)
    other = connections.create_connection("default")
    try:
        with transaction.atomic():
            writer(500, 2000)  # inside the import's open transaction
            with other.cursor() as cursor:  # another web server polling the job
                cursor.execute("SELECT done, total FROM imports_importjob WHERE id = %s", [job.pk])
                assert cursor.fetchone() == (500, 2000)
    finally:
        writer.close()
        other.close()
