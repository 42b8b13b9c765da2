"""The import pipeline's pages: upload → columns → values → preview → job (progress, result, report).

Thin adapters over ``services`` and ``pipeline``. Every page works without JavaScript; the job page
polls its progress with htmx when it can, and refreshes itself (``<noscript>``) when it cannot.
"""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from opennrm.accounts import policy
from opennrm.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from opennrm.core.forms import ImportForm
from opennrm.core.http import AuthenticatedHttpRequest, actor
from opennrm.core.tabular import RowError, TabularError, read_upload
from opennrm.imports import pipeline, services
from opennrm.imports.models import ImportJob, Stage
from opennrm.imports.spec import ImportSpec, Preview, registered

TEMPLATE_LANGUAGES = {"en": "en", "sr": "sr", "sr-latn": "sr-latn"}


class UploadForm(ImportForm):
    extensions = (".csv", ".xlsx", ".txt")

    def __init__(self, *args: Any, targets: list[tuple[str, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.target_choices = targets or []


def _spec(request: AuthenticatedHttpRequest, key: str, target: str = "") -> ImportSpec:
    spec = services.spec_for(key, target=target)
    policy.require(actor(request), spec.permission)
    return spec


def _job(request: AuthenticatedHttpRequest, job_id: str) -> tuple[ImportJob, ImportSpec]:
    job = services.job_get(actor=actor(request), job_id=job_id)
    return job, services.spec_for(job.spec, target=job.target)


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    specs = [s for s in registered() if policy.can(actor(request), s.permission)]
    if not specs:
        raise PermissionDeniedError(_("You do not have permission to do this."))
    jobs = services.job_list(actor=actor(request))
    return render(request, "imports/index.html", {"specs": specs, "jobs": jobs})


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    target = (request.POST.get("target") or request.GET.get("target") or "").strip()
    spec = _spec(request, key, target)
    targets = spec.targets(actor=actor(request)) if spec.target_label else []
    form = UploadForm(request.POST or None, request.FILES or None, targets=targets)
    errors: list[tuple[int, str, str]] = []
    if request.method == "POST" and form.is_valid():
        if spec.target_label and target not in {value for value, _label in targets}:
            form.add_error(None, _("Choose what the file belongs to."))
        else:
            file = form.cleaned_data["file"]
            try:
                job = services.job_create(
                    actor=actor(request),
                    spec_key=key,
                    target=target,
                    filename=file.name,
                    data=read_upload(file, filename=file.name),
                )
            except TabularError as problem:
                form.add_error(None, problem.message)
                errors = [(e.row, e.column, e.message) for e in problem.errors]
            except DomainError as problem:
                form.add_error(None, problem.message)
            else:
                return redirect("imports:columns", job_id=job.pk)
    return render(
        request,
        "imports/upload.html",
        {
            "spec": spec,
            "form": form,
            "errors": errors,
            "error_count": len(errors),
            "targets": targets,
            "target": target,
            "columns": spec.columns() if not spec.target_label or target else [],
            "languages": [("en", "English"), ("sr", "Српски"), ("sr-latn", "Srpski")],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def template(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    spec = _spec(request, key, request.GET.get("target", ""))
    language = TEMPLATE_LANGUAGES.get(request.GET.get("language", ""), get_language() or "en")
    response = HttpResponse(
        pipeline.template_xlsx(spec, language=language),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"opennrm-{key.replace('.', '-')}-template-{language}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def columns(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    job, spec = _job(request, job_id)
    if job.stage != Stage.UPLOADED:
        return redirect("imports:job", job_id=job.pk)
    spec_columns = list(spec.columns())
    choices = [("", _("— not imported —"))] + [
        (c.key, f"{c.label} *" if c.required else str(c.label)) for c in spec_columns
    ]
    mapping = list(job.mapping)
    problems: list[str] = []
    if request.method == "POST":
        mapping = [request.POST.get(f"col-{i}", "") for i in range(len(job.header))]
        try:
            services.job_map_columns(actor=actor(request), job=job, mapping=mapping)
        except DomainError as problem:
            problems = [problem.message]
        else:
            return redirect("imports:values", job_id=job.pk)
    _header, rows = pipeline.read_source(job, spec)
    samples: list[list[str]] = []
    for _number, row_cells in rows:
        samples.append(row_cells)
        if len(samples) == 3:
            break
    cells = [
        {
            "index": i,
            "name": f"col-{i}",
            "header": header or _("(no name, column %(index)d)") % {"index": i + 1},
            "selected": mapping[i] if i < len(mapping) else "",
            "examples": [row[i] for row in samples if i < len(row) and row[i]],
        }
        for i, header in enumerate(job.header)
    ]
    return render(
        request,
        "imports/columns.html",
        {
            "job": job,
            "spec": spec,
            "cells": cells,
            "choices": choices,
            "problems": problems,
        },
        status=400 if problems else 200,
    )


def _value_field(column_key: str, raw: str) -> str:
    digest = hashlib.sha256(f"{column_key}\x1f{raw}".encode()).hexdigest()[:16]
    return f"val-{digest}"


@login_required
@require_http_methods(["GET", "POST"])
def values(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    job, spec = _job(request, job_id)
    if job.stage != Stage.UPLOADED:
        return redirect("imports:job", job_id=job.pk)
    unknown = services.job_unknown_values(actor=actor(request), job=job)
    problems: list[str] = []
    if request.method == "POST":
        chosen = {
            (item.column.key, item.raw): request.POST.get(_value_field(item.column.key, item.raw))
            or ""
            for item in unknown
        }
        try:
            services.values_remember(actor=actor(request), job=job, choices=chosen)
        except DomainError as problem:
            problems = [problem.message]
        else:
            return redirect("imports:preview", job_id=job.pk)
    if not unknown and request.method == "GET":
        return redirect("imports:preview", job_id=job.pk)
    items = []
    for item in unknown:
        vocabulary = item.column.vocabulary
        assert vocabulary is not None
        items.append(
            {
                "column": item.column.label,
                "raw": item.raw,
                "count": item.count,
                "name": _value_field(item.column.key, item.raw),
                "choices": vocabulary.choices(),
            }
        )
    return render(
        request,
        "imports/values.html",
        {"job": job, "spec": spec, "items": items, "problems": problems},
        status=400 if problems else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def preview(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    job, spec = _job(request, job_id)
    if job.stage != Stage.UPLOADED:
        return redirect("imports:job", job_id=job.pk)
    result: Preview | None = None
    errors: list[RowError] = []
    message = ""
    try:
        result = services.job_preview(actor=actor(request), job=job)
    except TabularError as problem:
        errors, message = problem.errors, problem.message
    except DomainError as problem:
        message = problem.message
    else:
        errors = result.errors
    if request.method == "POST" and result is not None and result.ok:
        services.job_queue(actor=actor(request), job=job)
        messages.success(
            request, _("The import has started; this page shows its progress and then its report.")
        )
        return redirect("imports:job", job_id=job.pk)
    return render(
        request,
        "imports/preview.html",
        {
            "job": job,
            "spec": spec,
            "preview": result,
            "errors": [(e.row, e.column, e.message) for e in errors[:100]],
            "error_count": len(errors),
            "message": message,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def job(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    job, spec = _job(request, job_id)
    report = services.job_report(job) if job.finished else {"errors": [], "outcomes": []}
    context = {
        "job": job,
        "spec": spec,
        "errors": report["errors"][:100],
        "error_count": len(report["errors"]),
    }
    polled = request.headers.get("HX-Request") == "true"
    return render(request, "imports/_progress.html" if polled else "imports/job.html", context)


@login_required
@require_http_methods(["POST"])
def resume(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    """Run an interrupted import again (``services.job_resume``); a refusal is shown on the job's
    page, which then says what the job is doing."""
    job, _spec = _job(request, job_id)
    try:
        services.job_resume(actor=actor(request), job=job)
    except ValidationFailed as problem:
        messages.error(request, problem.message)
    else:
        messages.success(
            request, _("The import has started again; this page shows its progress and report.")
        )
    return redirect("imports:job", job_id=job.pk)


@login_required
@require_GET
def report(request: AuthenticatedHttpRequest, job_id: str) -> HttpResponse:
    job, spec = _job(request, job_id)
    data = services.job_report(job)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Import"), str(spec.title)])
    writer.writerow([_("File"), job.filename])
    writer.writerow([_("Outcome"), job.get_stage_display()])
    if job.message:
        writer.writerow([_("Message"), job.message])
    result = job.result or {}
    for label, key in (
        (_("Rows"), "rows"),
        (_("Created"), "created"),
        (_("Updated"), "updated"),
        (_("Skipped (already there)"), "skipped"),
    ):
        if key in result:
            writer.writerow([label, result[key]])
    for label, count in result.get("details", []):
        writer.writerow([label, count])
    if data["errors"]:
        writer.writerow([])
        writer.writerow([_("Row"), _("Column"), _("Problem")])
        writer.writerows(data["errors"])
    if data["outcomes"]:
        writer.writerow([])
        writer.writerow([_("Row"), _("Outcome"), _("Record")])
        writer.writerows(data["outcomes"])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-report-{job.pk}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def job_url(job: ImportJob) -> str:
    return reverse("imports:job", kwargs={"job_id": job.pk})
