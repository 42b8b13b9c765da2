"""Training pages for trainers and coordinators: thin adapters over selectors and services."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opennrm.accounts import policy
from opennrm.audit.services import record
from opennrm.core.errors import DomainError, StaleRecordError
from opennrm.core.exports import Sheet, xlsx_response
from opennrm.core.http import AuthenticatedHttpRequest
from opennrm.core.tabular import RowError, TabularError, error_report_csv
from opennrm.training import selectors, services, tables
from opennrm.training.forms import CohortForm

View = Callable[..., HttpResponseBase]
_SESSION_ERRORS = "training_import_errors"


def _needs(action: str) -> Callable[[View], View]:
    """Signed in and allowed ``action``; others get the 403 page. Missing records give 404."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(
            request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            if not policy.can(request.user, action):
                return render(request, "403.html", status=403)
            try:
                return view(request, *args, **kwargs)
            except DomainError as exc:
                if exc.status == 404:
                    return render(request, "404.html", status=404)
                raise

        return wrapper

    return decorate


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Completion report (CSV or XLSX)"),
        help_text=gettext_lazy(
            "One row per learner with an e-mail column, and one column per module holding the "
            "completion date (empty when not completed)."
        ),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
    )


@_needs("training.view")
def cohorts(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    rows = list(selectors.cohort_list(actor=request.user))
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


@_needs("training.view")
def cohort_detail(
    request: AuthenticatedHttpRequest,
    code: str,
    form: ImportForm | None = None,
    errors: list[RowError] | None = None,
    status: int = 200,
) -> HttpResponseBase:
    cohort = selectors.cohort_get(actor=request.user, code=code)
    figures = selectors.cohort_figures(actor=request.user, cohort_code=code)
    enrolments = list(selectors.enrolment_list(actor=request.user, cohort=cohort))
    modules = list(cohort.course.modules.all())
    by_code = {m.code: str(m) for m in modules}
    per_module = selectors.module_completion_counts(actor=request.user, cohort=cohort)
    if request.GET.get("export") == "xlsx":
        table = tables.enrolment_table(enrolments, len(modules))
        record(
            actor=request.user, verb="training.trainees_export", target=cohort,
            purpose="cohort trainee list export",
        )  # fmt: skip
        return xlsx_response(f"{cohort.code}.xlsx", [Sheet(cohort.code, table.headers, table.rows)])
    # The list shows professionals' names and e-mails: a read of staff personal data, audited.
    record(actor=request.user, verb="training.trainees_view", target=cohort, purpose="cohort page")
    chart = {
        "type": "bar",
        "labels": [str(m.position) for m in modules],
        "datasets": [
            {"label": _("Learners who completed the module"), "data": [per_module.get(m.pk, 0) for m in modules]}
        ],
    }  # fmt: skip
    context = {
        "cohort": cohort,
        "figures": figures,
        "outcomes": tables.outcome_rows(figures),
        "enrolments": enrolments,
        "modules": modules,
        "per_module": [(m, per_module.get(m.pk, 0)) for m in modules],
        "chart": chart,
        "form": form or ImportForm(),
        "errors": errors or [],
        "can_edit": policy.can(request.user, "training.edit"),
        "mapping": [
            (column, by_code.get(code, code))
            for column, code in sorted((cohort.course.column_mapping or {}).items())
        ],
    }
    return render(request, "training/cohort_detail.html", context, status=status)


@require_POST
@_needs("training.edit")
def cohort_import(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    cohort = selectors.cohort_get(actor=request.user, code=code)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return cohort_detail(request, code, form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        result = services.completion_import(
            actor=request.user, cohort=cohort, source=upload.read(), filename=upload.name
        )
    except TabularError as exc:
        request.session[_SESSION_ERRORS] = [[e.row, e.column, e.message] for e in exc.errors]
        form.add_error(None, exc.message)
        return cohort_detail(request, code, form=form, errors=exc.errors, status=400)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return cohort_detail(request, code, form=form, status=exc.status)
    request.session.pop(_SESSION_ERRORS, None)
    messages.success(
        request,
        _(
            "Imported %(rows)d rows: %(added)d module completions added, %(new)d learners enrolled; "
            "%(done)d learners have now completed the course."
        )
        % {
            "rows": result.rows,
            "added": result.completions_added,
            "new": result.enrolled,
            "done": result.completed_course,
        },
    )
    return redirect("training:cohort", code=cohort.code)


@_needs("training.edit")
def cohort_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    cohort = selectors.cohort_get(actor=request.user, code=code)
    if request.method != "POST":
        form = CohortForm(
            initial={"version": cohort.version, "title": cohort.title, "start": cohort.start,
                     "end": cohort.end, "language": cohort.language}
        )  # fmt: skip
        return render(request, "training/cohort_edit.html", {"cohort": cohort, "form": form})
    form = CohortForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.cohort_update(
                actor=request.user, cohort=cohort, expected_version=data["version"],
                title=data["title"], start=data["start"], end=data["end"],
                language=data["language"],
            )  # fmt: skip
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


@_needs("training.edit")
def import_errors(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    selectors.cohort_get(actor=request.user, code=code)
    errors = [RowError(*row) for row in request.session.get(_SESSION_ERRORS, [])]
    response = HttpResponse(error_report_csv(errors), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{code}-import-errors.csv"'
    return response


@_needs("training.view")
def certificate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    enrolment = selectors.enrolment_get(actor=request.user, pk=pk)
    try:
        pdf = services.certificate_pdf(actor=request.user, enrolment=enrolment)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("training:cohort", code=enrolment.cohort.code)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{enrolment.pk}.pdf"'
    return response


@_needs("training.view")
def coverage(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    populations = list(selectors.population_list(actor=request.user))
    current = [
        selectors.population_coverage(actor=request.user, population_code=p.code)
        for p in populations
    ]
    # By default, the first population that has a headcount: an empty chart helps nobody.
    counted = [p.code for p, f in zip(populations, current, strict=True) if f.headcount]
    chosen = request.GET.get("population") or next(iter(counted), "")
    series = []
    if chosen:
        points = selectors.coverage_points(actor=request.user, population_code=chosen)
        series = selectors.coverage_series(
            actor=request.user, population_code=chosen, points=points
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


@_needs("training.view")
def events(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    rows = list(selectors.event_list(actor=request.user))
    if request.GET.get("export") == "xlsx":
        table = tables.event_table(rows)
        return xlsx_response(
            "training-events.xlsx", [Sheet(_("Events"), table.headers, table.rows)]
        )
    return render(request, "training/events.html", {"events": rows})


@_needs("training.view")
def event_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    event = selectors.event_get(actor=request.user, code=code)
    breakdowns = [
        (key, title, tables.labelled(key, selectors.attendance_breakdown(
            actor=request.user, event=event, by=key
        )))
        for key, title in (
            ("profession", _("By profession")),
            ("agency_type", _("By agency type")),
            ("sex", _("By sex")),
        )
    ]  # fmt: skip
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


@_needs("training.view")
def planning(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    assessments = list(selectors.needs_assessment_list(actor=request.user))
    curricula = list(selectors.curriculum_list(actor=request.user))
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
