"""GRETA recommendations through the import pipeline; the same file twice changes nothing."""

from __future__ import annotations

from opennrm.imports import services as import_services
from opennrm.monitoring import services
from opennrm.monitoring.models import GretaRecommendation

SERBIAN = (
    "Круг;Извештај;Параграф;Текст;Снага;Тема;Статус\n"
    "3;GRETA(2023)04;103;Власти треба да обезбеде…;urges;идентификација;у току\n"
).encode()


def test_re_importing_the_same_recommendations_changes_nothing(personas) -> None:
    data = (
        b"round,report,paragraph,text,strength,theme\n3,GRETA(2023)04,103,Text,urges,assistance\n"
    )
    first = services.recommendations_import(actor=personas["dragan"], source=data, filename="g.csv")
    assert (first.created, first.updated) == (1, 0)
    version = GretaRecommendation.objects.get().version
    again = services.recommendations_import(actor=personas["dragan"], source=data, filename="g.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert GretaRecommendation.objects.get().version == version


def test_serbian_headers_and_values_import_through_the_pipeline(personas) -> None:
    dragan = personas["dragan"]
    result = import_services.import_file(
        actor=dragan, spec_key="monitoring.recommendations", filename="greta.csv", data=SERBIAN
    )
    assert (result.created, result.updated) == (1, 0)
    recommendation = GretaRecommendation.objects.get()
    assert (recommendation.theme, recommendation.status) == ("identification", "in_progress")
    again = import_services.import_file(
        actor=dragan, spec_key="monitoring.recommendations", filename="greta.csv", data=SERBIAN
    )
    assert (again.created, again.updated, again.skipped) == (0, 0, 1)
