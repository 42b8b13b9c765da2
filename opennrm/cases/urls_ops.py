"""Operational pages of cases, mounted by ``cases/urls.py`` under /cases/: the deadlines list,
the legacy import (upload, progress, error report) and the case-file PDF.

Thin adapters: the import lives in ``imports``, deadlines in ``dashboard``, the case file in
``casefile``; these views check the permission, call them and render.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from opennrm.accounts import policy
from opennrm.cases import imports
from opennrm.cases.casefile import case_file_pdf
from opennrm.cases.dashboard import deadline_list
from opennrm.cases.tasks import run_import
from opennrm.core.errors import DomainError
from opennrm.core.http import AuthenticatedHttpRequest
from opennrm.core.tabular import error_report_csv

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
DEADLINE_ACTIONS = ("referral.decide", "case.edit", "service.update")


def _forbidden(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Legacy records (CSV or XLSX)"),
        help_text=_("Columns with HTCDS names, one row per person and case; at most 50 MB."),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Only CSV and XLSX files can be imported."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB; split it in parts."))
        return upload


@login_required
@require_GET
def deadlines(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not any(policy.can(request.user, action) for action in DEADLINE_ACTIONS):
        return _forbidden(request)
    rows = deadline_list(actor=request.user)
    return render(
        request,
        "cases/ops/deadlines.html",
        {"rows": rows, "overdue": sum(1 for row in rows if row.overdue)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not policy.can(request.user, "case.import"):
        return _forbidden(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = imports.start_import_job(
                actor=request.user, data=upload.read(), filename=upload.name
            )
        except DomainError as problem:
            form.add_error(None, problem.message)
        else:
            # The worker runs it (immediately, in tests and with the immediate backend).
            run_import.enqueue(job.id)
            return redirect("cases:import_job", job_id=job.id)
    return render(
        request,
        "cases/ops/import.html",
        {"form": form, "columns": imports.COLUMNS, "required": imports.REQUIRED},
    )


def _own_job(request: AuthenticatedHttpRequest, job_id: str) -> imports.ImportJob:
    job = imports.load_job(job_id)
    # Another user's job is "not found", not "forbidden": its existence is not disclosed.
    if job is None or job.actor_id != request.user.pk:
        raise Http404
    return job


@login_required
@require_GET
def import_job(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    if not policy.can(request.user, "case.import"):
        return _forbidden(request)
    job = _own_job(request, job_id)
    polled = request.headers.get("HX-Request") == "true"
    template = "cases/ops/_import_progress.html" if polled else "cases/ops/import_job.html"
    return render(request, template, {"job": job})


@login_required
@require_GET
def import_errors(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    if not policy.can(request.user, "case.import"):
        return _forbidden(request)
    job = _own_job(request, job_id)
    response = HttpResponse(
        error_report_csv(job.row_errors()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="import-errors.csv"'
    return response


@login_required
@require_GET
def import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not policy.can(request.user, "case.import"):
        return _forbidden(request)
    response = HttpResponse(
        ("\ufeff" + ",".join(imports.COLUMNS) + "\r\n").encode("utf-8"),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="opennrm-import-template.csv"'
    return response


@login_required
@require_GET
def case_file(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not policy.can(request.user, "case.export_file"):
        return _forbidden(request)
    try:
        filename, pdf = case_file_pdf(actor=request.user, pk=pk, language=get_language())
    except DomainError:
        raise Http404 from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("deadlines/", deadlines, name="deadlines"),
    path("import/", import_start, name="import"),
    path("import/template.csv", import_template, name="import_template"),
    path("import/<str:job_id>/", import_job, name="import_job"),
    path("import/<str:job_id>/errors.csv", import_errors, name="import_errors"),
    path("<int:pk>/file.pdf", case_file, name="case_file"),
]
