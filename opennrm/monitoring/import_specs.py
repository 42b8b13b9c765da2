"""GRETA recommendations as a spec of the import pipeline (``opennrm.imports``): columns named in
English and Serbian, strength, theme and status as vocabularies; validation and writing are
``services.recommendations_import``'s (``imports.legacy``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from opennrm.accounts.models import User
from opennrm.imports.legacy import LegacySpec, Outcome
from opennrm.imports.spec import Choices, Column, register
from opennrm.monitoring import services
from opennrm.monitoring.models import RecommendationStatus, Strength, Theme

STRENGTHS = Choices(
    name="monitoring.strength",
    labels=list(Strength.choices),
    synonyms={
        "poziva": "urges",
        "позива": "urges",
        "insistira": "urges",
        "razmotri": "considers",
        "размотри": "considers",
    },
)
THEMES = Choices(name="monitoring.theme", labels=list(Theme.choices))
STATUSES = Choices(
    name="monitoring.recommendation_status", labels=list(RecommendationStatus.choices)
)

COLUMNS = (
    Column(
        "round",
        _("Evaluation round"),
        True,
        ("Круг", "Krug", "Круг евалуације", "Krug evaluacije", "Round"),
        example="3",
    ),
    Column("report", _("Report"), True, ("Извештај", "Izveštaj"), example="GRETA(2023)04"),
    Column(
        "paragraph",
        _("Paragraph"),
        True,
        ("Параграф", "Paragraf", "Став", "Stav", "paragraph_no"),
        example="103",
    ),
    Column(
        "text",
        _("Text"),
        True,
        ("Текст", "Tekst", "Препорука", "Preporuka"),
        example="GRETA urges the Serbian authorities to…",
    ),
    Column(
        "strength",
        _("Strength"),
        True,
        ("Снага", "Snaga", "verb", "Глагол", "Glagol"),
        vocabulary=STRENGTHS,
        example="urges",
    ),
    Column(
        "theme", _("Theme"), True, ("Тема", "Tema"), vocabulary=THEMES, example="identification"
    ),
    Column(
        "responsible",
        _("Responsible institutions"),
        False,
        ("Одговорне институције", "Odgovorne institucije", "institutions"),
        example="MUP BG; CPTV",
    ),
    Column(
        "status",
        _("Status"),
        False,
        ("Статус", "Status"),
        vocabulary=STATUSES,
        example="in_progress",
    ),
    Column("evidence", _("Evidence"), False, ("Докази", "Dokazi"), example=""),
    Column("note", _("Note"), False, ("Напомена", "Napomena"), example=""),
)


@register
class RecommendationSpec(LegacySpec):
    key = "monitoring.recommendations"
    title = _("GRETA recommendations")
    permission = "monitoring.edit"

    def columns(self) -> Sequence[Column]:
        return COLUMNS

    def run(self, data: bytes, *, actor: User) -> Outcome:
        summary = services.recommendations_import(
            actor=actor, source=data, filename="recommendations.csv"
        )
        return Outcome(created=summary.created, updated=summary.updated, skipped=summary.unchanged)
