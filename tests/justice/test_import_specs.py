"""The prosecutors' register through the import pipeline: people's column names (no snake_case),
values in Serbian mapped to codes, errors naming the column by its label, a template."""

from __future__ import annotations

import io

from django.utils import translation
from openpyxl import load_workbook

from opennrm.imports import services
from opennrm.imports.pipeline import template_xlsx
from opennrm.imports.spec import get_spec
from opennrm.justice.models import Defendant, Proceeding

SERBIAN = (
    "Број предмета;Тужилаштво;Суд;Датум покретања;Фаза;Пол окривљеног;Кривично дело;Исход;"
    "Датум исхода;Затвор (месеци);Шифра случаја жртве\n"
    "KT 5/19;VJT BG;VS BG;12.03.2019.;Правоснажна пресуда;М;CC-388;Осуђен;01.12.2020;60;"
    "RS-2020-00042/1\n"
)


def test_a_register_with_serbian_headers_and_values_imports_through_the_pipeline(
    personas, victim_case
) -> None:
    jelena = personas["jelena"]
    with translation.override("sr"):
        job = services.job_create(
            actor=jelena,
            spec_key="justice.register",
            filename="registar.csv",
            data=SERBIAN.encode(),
        )
        assert "" not in job.mapping  # every column recognised by its Serbian name
        services.job_map_columns(actor=jelena, job=job, mapping=job.mapping)
        assert services.job_unknown_values(actor=jelena, job=job) == []
        preview = services.job_preview(actor=jelena, job=job)
        assert (preview.create, preview.skip, preview.errors) == (1, 0, [])
        assert Proceeding.objects.count() == 0  # the preview was rolled back
        services.job_queue(actor=jelena, job=job)
        done = services.job_run(job_id=str(job.pk))
    assert done is not None
    assert done.stage == "done", done.message
    proceeding = Proceeding.objects.get()
    assert proceeding.stage == "final"
    assert Defendant.objects.get().outcome == "convicted"


def test_errors_name_the_column_by_its_label_not_its_code(personas, victim_case) -> None:
    bad = SERBIAN.replace("CC-388", "CC-999").encode()
    jelena = personas["jelena"]
    job = services.job_create(actor=jelena, spec_key="justice.register", filename="r.csv", data=bad)
    services.job_map_columns(actor=jelena, job=job, mapping=job.mapping)
    preview = services.job_preview(actor=jelena, job=job)
    assert [(e.row, e.column) for e in preview.errors] == [(2, "Offence")]


def test_the_register_template_has_headers_a_sample_and_allowed_values(db) -> None:
    for language, header in (
        ("en", "File number"),
        ("sr", "Број списа"),
        ("sr-latn", "Broj spisa"),
    ):
        book = load_workbook(
            io.BytesIO(template_xlsx(get_spec("justice.register"), language=language))
        )
        records, allowed = book.worksheets
        first = [cell.value for cell in records[1]]
        assert first[0] == header
        assert not any("_" in (value or "") for value in first)  # no snake_case
        assert records[2][0].value == "KT 5/19"
        values = {(row[0], row[2]) for row in allowed.iter_rows(min_row=2, values_only=True)}
        stage = {"en": "Stage", "sr": "Фаза", "sr-latn": "Faza"}[language]
        assert (stage, "final") in values


def test_an_unknown_stage_is_explained_in_serbian_with_the_allowed_stages(
    personas, victim_case
) -> None:
    bad = SERBIAN.replace("Правоснажна пресуда", "пресуђено").encode()
    jelena = personas["jelena"]
    with translation.override("sr"):
        job = services.job_create(
            actor=jelena, spec_key="justice.register", filename="r.csv", data=bad
        )
        services.job_map_columns(actor=jelena, job=job, mapping=job.mapping)
        preview = services.job_preview(actor=jelena, job=job)
    assert [(e.row, e.column) for e in preview.errors] == [(2, "Фаза")]
    message = preview.errors[0].message
    assert message.startswith("„пресуђено” није дозвољена вредност колоне „Фаза”.")
    assert "Истрага" in message
    assert "first_instance" not in message
