"""Progress reports as HTML, PDF (WeasyPrint) and DOCX (python-docx), in en / sr / sr-latn.

The three formats are drawn from one ``ReportData`` computed at generation time, and their charts
from one set of ``ChartSpec`` (SVG in HTML and PDF, PNG in DOCX), so a figure cannot differ between
the files handed to the Steering Committee. Numbers, money and dates are written by
``core.formatting`` in the report's language (en-GB; Serbian in either script).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from opennrm.accounts.models import User
from opennrm.core import formatting
from opennrm.core.formatting import end_sentence
from opennrm.core.translit import to_latin
from opennrm.monitoring import charts
from opennrm.monitoring.metrics import format_number, label_of
from opennrm.monitoring.models import ProgressReport
from opennrm.monitoring.rating import Light
from opennrm.monitoring.selectors import (
    BudgetSummary,
    IndicatorFigure,
    ReportData,
    ResultFigures,
    report_data,
)

LIGHT_COLOURS = {
    Light.GREEN: "2e7d32",
    Light.AMBER: "f0ad00",
    Light.RED: "c0392b",
    Light.NONE: "6c757d",
    Light.WITHHELD: "6c757d",
}


def light_label(light: Light) -> str:
    return {
        Light.GREEN: _("on track"),
        Light.AMBER: _("needs attention"),
        Light.RED: _("off track"),
        Light.NONE: _("no data"),
        Light.WITHHELD: _("withheld: too few to show"),
    }[light]


def unit_suffix(unit: str) -> str:
    """The unit after a figure, in the active language ("%" / " %", " EUR")."""
    return formatting.unit_suffix(unit)


def source_text(figure: IndicatorFigure, localise: Callable[[str], str]) -> str:
    """The "Source" cell: a live metric in words, else the source typed with the value."""
    if figure.live:
        return _("live: %(metric)s") % {"metric": label_of(figure.source)}
    return localise(figure.source)


def _sentences(data: ReportData, localise: Callable[[str], str]) -> dict[str, str]:
    """Sentences shared by the HTML/PDF and the DOCX, dates and money in the active language."""
    report, action, budget = data.report, data.action, data.budget
    sentences = {
        "intro": _("%(action)s — progress report for %(start)s to %(end)s, generated on %(today)s.")
        % {
            "action": localise(action.title),
            "start": formatting.date_in_text(report.period_start),
            "end": formatting.date_in_text(report.period_end),
            "today": formatting.date_in_text(data.generated_on),
        },
        "budget": _("Budget: %(budget)s %(currency)s. Programme: %(programme)s.")
        % {
            "budget": format_number(action.budget),
            "currency": action.currency,
            "programme": localise(action.programme),
        },
        "spent": _(
            "Spent %(spent)s of %(budget)s %(currency)s (%(spent_percent)s%%) with "
            "%(elapsed)s%% of the action's time elapsed: %(light)s."
        )
        % {
            "spent": format_number(budget.total.spent),
            "budget": format_number(budget.total.planned),
            "currency": action.currency,
            "spent_percent": format_number(budget.total.spent_percent),
            "elapsed": format_number(budget.elapsed_percent),
            "light": light_label(budget.light),
        },
        "meeting": "",
    }
    if data.meeting is not None:
        sentences["meeting"] = _("%(title)s, %(place)s, %(date)s.") % {
            "title": localise(data.meeting.title),
            "place": localise(data.meeting.place),
            "date": formatting.date_alone(data.meeting.held_on),
        }
    return {key: end_sentence(text) for key, text in sentences.items()}


@dataclass(frozen=True)
class Figures:
    """The report's charts, each with the table rows that carry the same numbers."""

    progress: charts.ChartSpec
    burn: charts.ChartSpec
    trend: charts.ChartSpec | None
    recommendations: charts.ChartSpec


def chart_specs(
    *,
    logframe: list[ResultFigures],
    budget: BudgetSummary,
    by_status: list[tuple[str, str, int]],
    trends: dict[int, list[tuple[date, Decimal | None]]],
) -> Figures:
    """Charts of a report or the dashboard (call inside the wanted language for the titles)."""
    indicators = [f for result in logframe for f in result.indicators]
    language = translation.get_language() or "en"
    progress = charts.ChartSpec(
        title=_("Progress towards targets (%)"),
        labels=tuple(f.indicator.code for f in indicators),
        series=(
            charts.Series(
                _("Share of the way from baseline to target"),
                tuple(
                    None
                    if f.progress_percent is None
                    else float(max(min(f.progress_percent, Decimal(100)), Decimal(0)))
                    for f in indicators
                ),
            ),
        ),
        percent=True,
        language=language,
    )
    burn = charts.ChartSpec(
        title=_("Budget burn against time elapsed"),
        labels=tuple(formatting.month_label(point, language) for point, _s, _t in budget.burn),
        series=(
            charts.Series(_("Budget spent (%)"), tuple(float(s) for _p, s, _t in budget.burn)),
            charts.Series(_("Time elapsed (%)"), tuple(float(t) for _p, _s, t in budget.burn)),
        ),
        kind="line",
        percent=True,
        language=language,
    )
    trend = None
    if trends:
        points = next(iter(trends.values()))
        by_id = {f.indicator.pk: f.indicator for f in indicators}
        trend = charts.ChartSpec(
            title=_("Coverage and other shares over time (%)"),
            labels=tuple(formatting.month_label(point, language) for point, _v in points),
            series=tuple(
                charts.Series(
                    by_id[pk].code, tuple(None if v is None else float(v) for _p, v in series)
                )
                for pk, series in trends.items()
            ),
            kind="line",
            percent=True,
            language=language,
        )
    recommendations = charts.ChartSpec(
        title=_("GRETA recommendations by status"),
        labels=tuple(label for _v, label, _n in by_status),
        series=(charts.Series(_("Recommendations"), tuple(float(n) for _v, _l, n in by_status)),),
        language=language,
    )
    return Figures(progress=progress, burn=burn, trend=trend, recommendations=recommendations)


def _figures(data: ReportData) -> Figures:
    return chart_specs(
        logframe=data.logframe,
        budget=data.budget,
        by_status=data.recommendations_by_status,
        trends=data.trends,
    )


def _localiser(language: str) -> Callable[[str], str]:
    """User-entered text in a Latin-script report is transliterated if typed in Cyrillic."""
    if language == "sr-latn":
        return to_latin
    return lambda text: text


def _context(data: ReportData, figures: Figures, language: str) -> dict[str, Any]:
    localise = _localiser(language)
    chart_list = [figures.progress, figures.burn]
    if figures.trend is not None:
        chart_list.append(figures.trend)
    chart_list.append(figures.recommendations)
    return {
        "data": data,
        "language": language,
        "charts": [mark_safe(charts.svg(spec)) for spec in chart_list],  # noqa: S308 - our own SVG, text escaped
        "agency_names": {
            r.pk: ", ".join(a.localized_name(language) for a in r.responsible.all())
            for r in data.recommendations
        },
        "participants": ", ".join(
            a.localized_name(language) for a in data.meeting.participant_agencies.all()
        )
        if data.meeting
        else "",
        "light_labels": {light.value: light_label(light) for light in Light},
        "sentences": _sentences(data, localise),
        "sources": {
            figure.indicator.pk: source_text(figure, localise)
            for result in data.logframe
            for figure in result.indicators
        },
        "narrative": {
            "summary": localise(data.report.summary),
            "challenges": localise(data.report.challenges),
            "next_steps": localise(data.report.next_steps),
        },
    }


def render_html(data: ReportData, language: str) -> str:
    figures = _figures(data)
    return render_to_string("monitoring/report_document.html", _context(data, figures, language))


def render_pdf_bytes(data: ReportData, language: str) -> bytes:
    from weasyprint import HTML

    from opennrm.core.documents import _local_static

    html = render_html(data, language)
    document = HTML(string=html, base_url="http://opennrm.local/", url_fetcher=_local_static)
    return bytes(document.write_pdf())


def render_docx(data: ReportData, language: str) -> bytes:
    from docx import Document
    from docx.shared import Cm, Pt, RGBColor

    localise = _localiser(language)
    figures = _figures(data)
    document = Document()
    document.styles["Normal"].font.name = "DejaVu Sans"
    document.styles["Normal"].font.size = Pt(10)
    report = data.report
    sentences = _sentences(data, localise)
    document.add_heading(localise(report.title), level=0)
    document.add_paragraph(sentences["intro"])
    document.add_paragraph(sentences["budget"])
    for heading, text in (
        (_("Summary"), report.summary),
        (_("Challenges and mitigation"), report.challenges),
        (_("Next steps"), report.next_steps),
    ):
        if text.strip():
            document.add_heading(heading, level=1)
            for paragraph in localise(text).split("\n\n"):
                document.add_paragraph(paragraph.strip())

    document.add_heading(_("Results and indicators"), level=1)
    for result in data.logframe:
        document.add_heading(
            _("Result %(number)d: %(title)s")
            % {"number": result.result.number, "title": localise(result.result.display_title)},
            level=2,
        )
        table = document.add_table(rows=1, cols=6)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells,
            (_("Indicator"), _("Baseline"), _("Target"), _("Actual"), _("Status"), _("Source")),
            strict=True,
        ):
            cell.text = text
        for figure in result.indicators:
            ind = figure.indicator
            suffix = unit_suffix(ind.unit)
            cells = table.add_row().cells
            cells[0].text = f"{ind.code} {localise(ind.display_definition)}"
            cells[1].text = format_number(ind.baseline) + suffix
            cells[2].text = format_number(ind.target) + suffix
            cells[3].text = figure.actual_display + (suffix if figure.actual is not None else "")
            run = cells[4].paragraphs[0].add_run("● " + light_label(figure.light))
            run.font.color.rgb = RGBColor.from_string(LIGHT_COLOURS[figure.light])
            cells[5].text = source_text(figure, localise)
        if result.activities:
            for activity in result.activities:
                document.add_paragraph(
                    f"{activity.code} {localise(activity.title)} — {activity.get_status_display()}",
                    style="List Bullet",
                )

    document.add_heading(_("Charts"), level=1)
    chart_list = [figures.progress, figures.burn]
    if figures.trend is not None:
        chart_list.append(figures.trend)
    chart_list.append(figures.recommendations)
    for spec in chart_list:
        document.add_picture(io.BytesIO(charts.png(spec)), width=Cm(16))

    document.add_heading(_("Budget"), level=1)
    budget = data.budget
    document.add_paragraph(sentences["spent"])
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, (_("Budget"), _("Planned"), _("Committed"), _("Spent")), strict=True
    ):
        cell.text = text
    for row in [*budget.rows, budget.total]:
        cells = table.add_row().cells
        cells[0].text = row.label
        cells[1].text = format_number(row.planned)
        cells[2].text = format_number(row.committed)
        cells[3].text = format_number(row.spent)

    document.add_heading(_("GRETA recommendations"), level=1)
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        (_("Report and paragraph"), _("Recommendation"), _("Theme"), _("Responsible"), _("Status")),
        strict=True,
    ):
        cell.text = text
    for rec in data.recommendations:
        cells = table.add_row().cells
        cells[0].text = f"{localise(rec.report)} §{rec.paragraph}"
        cells[1].text = f"{rec.get_strength_display()}: {localise(rec.text)}"
        cells[2].text = str(rec.get_theme_display())
        cells[3].text = ", ".join(a.localized_name(language) for a in rec.responsible.all())
        cells[4].text = str(rec.get_status_display())

    document.add_heading(_("Last Steering Committee meeting"), level=1)
    if data.meeting is None:
        document.add_paragraph(_("No meeting was held in or before this period."))
    else:
        meeting = data.meeting
        document.add_paragraph(sentences["meeting"])
        document.add_heading(_("Decisions"), level=2)
        for decision in meeting.decisions.all():
            document.add_paragraph(
                f"{decision.number}. {localise(decision.text)}", style="List Number"
            )
        document.add_heading(_("Open follow-up actions"), level=2)
        if not data.open_follow_ups:
            document.add_paragraph(_("All follow-up actions are done."))
        else:
            table = document.add_table(rows=1, cols=3)
            table.style = "Table Grid"
            for cell, text in zip(
                table.rows[0].cells, (_("Action"), _("Owner"), _("Due")), strict=True
            ):
                cell.text = text
            for follow_up in data.open_follow_ups:
                cells = table.add_row().cells
                cells[0].text = localise(follow_up.text)
                cells[1].text = follow_up.owner.get_full_name() or follow_up.owner.username
                cells[2].text = formatting.date_alone(follow_up.due_on)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render(
    *,
    report: ProgressReport,
    actor: User,
    format: str,
    language: str,
    progress: Callable[[int], None] = lambda percent: None,
) -> tuple[bytes, str]:
    """Compute the figures now and render one file; returns (content, file extension)."""
    with translation.override(language):
        data = report_data(actor=actor, report=report)
        progress(50)
        if format == "docx":
            content = render_docx(data, language)
        elif format == "pdf":
            content = render_pdf_bytes(data, language)
        else:
            content = render_html(data, language).encode("utf-8")
        progress(95)
    return content, format
