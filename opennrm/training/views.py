"""Training pages for trainers and coordinators: thin adapters over selectors and services."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opennrm.accounts import policy
from opennrm.core.errors import DomainError, StaleRecordError
from opennrm.core.exports import Sheet, xlsx_response
from opennrm.core.forms import ImportForm
from opennrm.core.http import AuthenticatedHttpRequest, actor
from opennrm.core.tabular import RowError, TabularError, error_report_csv, read_upload
from opennrm.imports import services as import_services
from opennrm.training import selectors, services, tables
from opennrm.training.forms import CohortForm

View = Callable[..., HttpResponseBase]
_SESSION_ERRORS = "training_import_errors"


class CompletionImportForm(ImportForm):
    file_label = gettext_lazy("Completion report (CSV or XLSX)")
    file_help = gettext_lazy(
        "One row per learner with an e-mail column, and one column per module holding the "
        "completion date (empty when not completed)."
    )


@login_required
def cohorts(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    policy.require(actor(request), "training.view")
    rows = list(selectors.cohort_list(actor=actor(request)))
    table = tables.cohort_table(rows)
    if request.GET.get("export") == "xlsx":
        return xlsx_response("cohorts.xlsx", [Sheet(_("Cohorts"), table.headers, table.rows)])
    chart = {
        "type": "bar",
        "labels": [c.code for c in rows],
        "datasets": [
            {"label": _("Enrolled"), "data": [c.enrolled for c in rows]},  # type: ignore[attr-defined]
            {"label": _("Completed all modules"), "data": [c.completed for c in rows]},  # type: ignore[attr-defined]
        ],
    }
    return render(request, "training/cohorts.html", {"cohorts": rows, "chart": chart})


@login_required
def cohort_detail(
    request: AuthenticatedHttpRequest,
    code: str,
    form: CompletionImportForm | None = None,
    errors: list[RowError] | None = None,
    status: int = 200,
) -> HttpResponseBase:
    policy.require(actor(request), "training.view")
    cohort = selectors.cohort_get(actor=actor(request), code=code)
    figures = selectors.cohort_figures(actor=actor(request), cohort_code=code)
    export = request.GET.get("export") == "xlsx"
    enrolments = list(selectors.enrolment_list(actor=actor(request), cohort=cohort, export=export))
    modules = list(cohort.course.modules.all())
    by_code = {m.code: str(m) for m in modules}
    per_module = selectors.module_completion_counts(actor=actor(request), cohort=cohort)
    if export:
        table = tables.enrolment_table(enrolments, len(modules))
        return xlsx_response(f"{cohort.code}.xlsx", [Sheet(cohort.code, table.headers, table.rows)])
    chart = {
        "type": "bar",
        "labels": [str(m.position) for m in modules],
        "datasets": [
            {
                "label": _("Learners who completed the module"),
                "data": [per_module.get(m.pk, 0) for m in modules],
            }
        ],
    }
    context = {
        "cohort": cohort,
        "figures": figures,
        "outcomes": tables.outcome_rows(figures),
        "enrolments": enrolments,
        "modules": modules,
        "per_module": [(m, per_module.get(m.pk, 0)) for m in modules],
        "chart": chart,
        "form": form or CompletionImportForm(),
        "errors": errors or [],
        "can_edit": policy.can(actor(request), "training.edit"),
        "mapping": [
            (column, by_code.get(code, code))
            for column, code in sorted((cohort.course.column_mapping or {}).items())
        ],
    }
    return render(request, "training/cohort_detail.html", context, status=status)


@require_POST
@login_required
def cohort_import(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    policy.require(actor(request), "training.edit")
    cohort = selectors.cohort_get(actor=actor(request), code=code)
    form = CompletionImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return cohort_detail(request, code, form=form, status=400)
    upload = form.cleaned_data["file"]
    # The report goes through the import pipeline: columns, values, preview, background job.
    try:
        job = import_services.job_create(
            actor=actor(request),
            spec_key="training.completions",
            target=cohort.code,
            filename=upload.name,
            data=read_upload(upload, filename=upload.name),
        )
    except TabularError as exc:
        form.add_error(None, exc.message)
        return cohort_detail(request, code, form=form, errors=exc.errors, status=400)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return cohort_detail(request, code, form=form, status=exc.status)
    return redirect("imports:columns", job_id=job.pk)


@login_required
def cohort_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    policy.require(actor(request), "training.edit")
    cohort = selectors.cohort_get(actor=actor(request), code=code)
    if request.method != "POST":
        form = CohortForm(
            initial={
                "version": cohort.version,
                "title": cohort.title,
                "start": cohort.start,
                "end": cohort.end,
                "language": cohort.language,
            }
        )
        return render(request, "training/cohort_edit.html", {"cohort": cohort, "form": form})
    form = CohortForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.cohort_update(
                actor=actor(request),
                cohort=cohort,
                expected_version=data["version"],
                title=data["title"],
                start=data["start"],
                end=data["end"],
                language=data["language"],
            )
        except StaleRecordError as exc:
            # The input stays on screen so the trainer can reapply it after reloading.
            form.add_error(None, exc.message)
            status = exc.status
        except DomainError as exc:
            form.add_error(None, exc.message)
            for name, message in exc.fields.items():
                if name in form.fields:
                    form.add_error(name, message)
            status = exc.status
        else:
            messages.success(request, _("The cohort was saved."))
            return redirect("training:cohort", code=cohort.code)
    return render(
        request, "training/cohort_edit.html", {"cohort": cohort, "form": form}, status=status
    )


@login_required
def import_errors(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    policy.require(actor(request), "training.edit")
    selectors.cohort_get(actor=actor(request), code=code)
    errors = [RowError(*row) for row in request.session.get(_SESSION_ERRORS, [])]
    response = HttpResponse(error_report_csv(errors), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{code}-import-errors.csv"'
    return response


@login_required
def certificate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    policy.require(actor(request), "training.view")
    enrolment = selectors.enrolment_get(actor=actor(request), pk=pk)
    try:
        pdf = services.certificate_pdf(actor=actor(request), enrolment=enrolment)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("training:cohort", code=enrolment.cohort.code)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{enrolment.pk}.pdf"'
    return response


@login_required
def coverage(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    policy.require(actor(request), "training.view")
    populations = list(selectors.population_list(actor=actor(request)))
    current = [
        selectors.population_coverage(actor=actor(request), population_code=p.code)
        for p in populations
    ]
    # By default, the first population that has a headcount: an empty chart helps nobody.
    counted = [p.code for p, f in zip(populations, current, strict=True) if f.headcount]
    chosen = request.GET.get("population") or next(iter(counted), "")
    series = []
    if chosen:
        points = selectors.coverage_points(actor=actor(request), population_code=chosen)
        series = selectors.coverage_series(
            actor=actor(request), population_code=chosen, points=points
        )
    if request.GET.get("export") == "xlsx":
        summary = tables.coverage_table(populations, current)
        history = tables.series_table(series)
        return xlsx_response(
            "coverage.xlsx",
            [
                Sheet(_("Coverage"), summary.headers, summary.rows),
                Sheet(chosen or _("History"), history.headers, history.rows),
            ],
        )
    chart = {
        "type": "line",
        "percent": True,
        "labels": [f.on.isoformat() if f.on else "" for f in series],
        "datasets": [
            {"label": _("Share trained (%)"), "data": [round(f.share * 100, 1) for f in series]}
        ],
    }
    return render(
        request,
        "training/coverage.html",
        {
            "rows": list(zip(populations, current, strict=True)),
            "chosen": chosen,
            "series": series,
            "chart": chart,
        },
    )


@login_required
def events(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    policy.require(actor(request), "training.view")
    rows = list(selectors.event_list(actor=actor(request)))
    if request.GET.get("export") == "xlsx":
        table = tables.event_table(rows)
        return xlsx_response(
            "training-events.xlsx", [Sheet(_("Events"), table.headers, table.rows)]
        )
    return render(request, "training/events.html", {"events": rows})


@login_required
def event_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    policy.require(actor(request), "training.view")
    event = selectors.event_get(actor=actor(request), code=code)
    breakdowns = [
        (
            key,
            title,
            tables.labelled(
                key, selectors.attendance_breakdown(actor=actor(request), event=event, by=key)
            ),
        )
        for key, title in (
            ("profession", _("By profession")),
            ("agency_type", _("By agency type")),
            ("sex", _("By sex")),
        )
    ]
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"{event.code}.xlsx",
            [Sheet(title, [_("Group"), _("Attendees")], rows) for _key, title, rows in breakdowns],
        )
    charts = [
        (
            f"chart-{key}",
            title,
            {
                "type": "doughnut",
                "labels": [label for label, _n in rows],
                "datasets": [{"label": title, "data": [n for _label, n in rows]}],
            },
            rows,
        )
        for key, title, rows in breakdowns
    ]
    return render(request, "training/event_detail.html", {"event": event, "charts": charts})


@login_required
def planning(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    policy.require(actor(request), "training.view")
    assessments = list(selectors.needs_assessment_list(actor=actor(request)))
    curricula = list(selectors.curriculum_list(actor=actor(request)))
    if request.GET.get("export") == "xlsx":
        first, second = tables.assessment_table(assessments), tables.curriculum_table(curricula)
        return xlsx_response(
            "needs-assessments-and-curricula.xlsx",
            [
                Sheet(_("Needs assessments"), first.headers, first.rows),
                Sheet(_("Curricula"), second.headers, second.rows),
            ],
        )
    return render(
        request, "training/planning.html", {"assessments": assessments, "curricula": curricula}
    )
