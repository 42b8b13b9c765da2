"""Pages: thin adapters over selectors and services; every page needs ``monitoring.view``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opennrm.accounts import policy
from opennrm.core.errors import DomainError
from opennrm.core.exports import Sheet, xlsx_response
from opennrm.core.http import AuthenticatedHttpRequest, actor
from opennrm.core.tabular import TabularError, read_upload
from opennrm.imports import services as import_services
from opennrm.monitoring import charts, selectors, services
from opennrm.monitoring.forms import (
    DecisionForm,
    FollowUpDoneForm,
    FollowUpForm,
    GenerateForm,
    IndicatorValueForm,
    MeetingForm,
    NarrativeForm,
    RecommendationFilterForm,
    RecommendationImportForm,
    RecommendationStatusForm,
    ReportForm,
    apply_error,
)
from opennrm.monitoring.reports import chart_specs

View = Callable[..., HttpResponseBase]


def to_chartjs(spec: charts.ChartSpec) -> dict[str, Any]:
    """The same chart for Chart.js on pages (core/static/core/charts.js)."""
    return {
        "type": spec.kind,
        "labels": list(spec.labels),
        "datasets": [{"label": s.name, "data": list(s.values)} for s in spec.series],
        "percent": spec.percent,
    }


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "monitoring.view")
    user = actor(request)
    action = selectors.action_current(actor=user)
    context: dict[str, Any] = {"action": action}
    if action is not None:
        today = timezone.localdate()
        on = min(today, action.ends_on)
        frame = selectors.logframe(
            actor=user, action=action, start=action.starts_on, end=on, kept=True
        )
        budget = selectors.budget_summary(actor=user, action=action, on=on)
        by_status = selectors.recommendations_by_status(actor=user)
        figures = chart_specs(logframe=frame, budget=budget, by_status=by_status, trends={})
        context.update(
            on=on,
            logframe=frame,
            budget=budget,
            by_status=by_status,
            progress_chart=to_chartjs(figures.progress),
            burn_chart=to_chartjs(figures.burn),
            status_chart=to_chartjs(figures.recommendations),
            upcoming=selectors.upcoming_meetings(actor=user)[:5],
            overdue=selectors.overdue_follow_ups(actor=user),
            can_edit=policy.can(user, "monitoring.edit"),
            counted_at=min(
                (f.counted_at for r in frame for f in r.indicators if f.counted_at),
                default=None,
            ),
        )
    return render(request, "monitoring/dashboard.html", context)


@login_required
def indicator_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "monitoring.view")
    user = actor(request)
    indicator = selectors.indicator_get(actor=user, pk=pk)
    action = indicator.result.action
    form = IndicatorValueForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        policy.require(user, "monitoring.edit")
        if form.is_valid():
            try:
                services.indicator_value_record(
                    actor=user,
                    indicator=indicator,
                    measured_on=form.cleaned_data["measured_on"],
                    value=form.cleaned_data["value"],
                    source=form.cleaned_data["source"],
                    evidence=form.cleaned_data["evidence"],
                )
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The value was recorded."))
                return redirect("monitoring:indicator", pk=pk)
    on = min(timezone.localdate(), action.ends_on)
    trend = selectors.indicator_trend(actor=user, action=action, indicator=indicator, end=on)
    return render(
        request,
        "monitoring/indicator.html",
        {
            "indicator": indicator,
            "trend": trend,
            "trend_chart": {
                "type": "line",
                "labels": [point.isoformat() for point, _v in trend],
                "datasets": [
                    {
                        "label": indicator.code,
                        "data": [None if v is None else float(v) for _p, v in trend],
                    }
                ],
                "percent": indicator.unit == "percent",
            },
            "values": indicator.values.select_related("recorded_by"),
            "form": form,
            "can_edit": policy.can(user, "monitoring.edit"),
        },
    )


@login_required
def recommendations(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    policy.require(actor(request), "monitoring.view")
    form = RecommendationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    wanted = {"status": filters.get("status", ""), "theme": filters.get("theme", "")}
    if request.GET.get("download") == "xlsx":
        rows = selectors.recommendation_export(actor=actor(request), **wanted)
        return xlsx_response(
            "greta-recommendations.xlsx",
            [
                Sheet(
                    _("Recommendations"),
                    [
                        _("Round"),
                        _("Report"),
                        _("Paragraph"),
                        _("Strength"),
                        _("Text"),
                        _("Theme"),
                        _("Responsible"),
                        _("Status"),
                        _("Evidence"),
                        _("Note"),
                    ],
                    (
                        [
                            r.round,
                            r.report,
                            r.paragraph,
                            r.get_strength_display(),
                            r.text,
                            r.get_theme_display(),
                            "; ".join(a.short_name for a in r.responsible.all()),
                            r.get_status_display(),
                            r.evidence,
                            r.note,
                        ]
                        for r in rows
                    ),
                )
            ],
        )
    rows = selectors.recommendation_list(actor=actor(request), **wanted)
    return render(
        request,
        "monitoring/recommendations.html",
        {
            "form": form,
            "recommendations": rows,
            "query": request.GET.urlencode(),
            "can_edit": policy.can(actor(request), "monitoring.edit"),
        },
    )


@login_required
def recommendations_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The upload step of the import pipeline's GRETA recommendations import."""
    policy.require(actor(request), "monitoring.edit")
    form = RecommendationImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_services.job_create(
                actor=actor(request),
                spec_key="monitoring.recommendations",
                filename=upload.name,
                data=read_upload(upload, filename=upload.name),
            )
        except TabularError as error:
            form.add_error(None, error.message)
            errors = error.errors
        else:
            return redirect("imports:columns", job_id=job.pk)
    return render(
        request,
        "monitoring/recommendations_import.html",
        {"form": form, "errors": errors},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def recommendation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "monitoring.view")
    user = actor(request)
    recommendation = selectors.recommendation_get(actor=user, pk=pk)
    form = RecommendationStatusForm(
        request.POST or None,
        initial={
            "version": recommendation.version,
            "status": recommendation.status,
            "evidence": recommendation.evidence,
        },
    )
    if request.method == "POST":
        policy.require(user, "monitoring.edit")
        if form.is_valid():
            try:
                services.recommendation_update(
                    actor=user,
                    recommendation=recommendation,
                    expected_version=form.cleaned_data["version"],
                    status=form.cleaned_data["status"],
                    evidence=form.cleaned_data["evidence"],
                )
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The recommendation was updated."))
                return redirect("monitoring:recommendation", pk=pk)
    return render(
        request,
        "monitoring/recommendation.html",
        {
            "recommendation": recommendation,
            "form": form,
            "can_edit": policy.can(user, "monitoring.edit"),
        },
        status=409 if form.errors and request.method == "POST" else 200,
    )


@login_required
def meetings(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "monitoring.view")
    user = actor(request)
    form = MeetingForm(request.POST or None)
    if request.method == "POST":
        policy.require(user, "monitoring.edit")
        action = selectors.action_current(actor=user)
        if action is None:
            form.add_error(None, _("There is no action to report on."))
        elif form.is_valid():
            try:
                meeting = services.meeting_create(actor=user, action=action, **form.cleaned_data)
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The meeting was recorded."))
                return redirect("monitoring:meeting", pk=meeting.pk)
    return render(
        request,
        "monitoring/meetings.html",
        {
            "meetings": selectors.meeting_list(actor=user),
            "form": form,
            "can_edit": policy.can(user, "monitoring.edit"),
        },
    )


@login_required
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "monitoring.view")
    user = actor(request)
    meeting = selectors.meeting_get(actor=user, pk=pk)
    kind = request.POST.get("kind", "")
    decision_form = DecisionForm(request.POST if kind == "decision" else None, prefix="decision")
    follow_up_form = FollowUpForm(request.POST if kind == "follow_up" else None, prefix="follow")
    if request.method == "POST":
        policy.require(user, "monitoring.edit")
        try:
            if kind == "decision" and decision_form.is_valid():
                services.decision_add(
                    actor=user, meeting=meeting, text=decision_form.cleaned_data["text"]
                )
                messages.success(request, _("The decision was recorded."))
                return redirect("monitoring:meeting", pk=pk)
            if kind == "follow_up" and follow_up_form.is_valid():
                services.follow_up_create(
                    actor=user, meeting=meeting, **follow_up_form.cleaned_data
                )
                messages.success(request, _("The follow-up action was added."))
                return redirect("monitoring:meeting", pk=pk)
        except DomainError as error:
            apply_error(decision_form if kind == "decision" else follow_up_form, error)
    return render(
        request,
        "monitoring/meeting.html",
        {
            "meeting": meeting,
            "today": timezone.localdate(),
            "can_edit": policy.can(user, "monitoring.edit"),
            "decision_form": decision_form,
            "follow_up_form": follow_up_form,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def follow_up_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "monitoring.view")
    follow_up = selectors.follow_up_get(actor=actor(request), pk=pk)
    form = FollowUpDoneForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_complete(
                actor=actor(request),
                follow_up=follow_up,
                expected_version=form.cleaned_data["version"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The follow-up action is marked as done."))
    target = request.POST.get("next", "")
    if target == "home":
        return redirect("home")
    return redirect("monitoring:meeting", pk=follow_up.meeting_id)


@login_required
def reports(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "monitoring.view")
    user = actor(request)
    action = selectors.action_current(actor=user)
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        policy.require(user, "monitoring.edit")
        if action is None:
            form.add_error(None, _("There is no action to report on."))
        elif form.is_valid():
            try:
                report = services.report_create(actor=user, action=action, **form.cleaned_data)
            except DomainError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("The report was created; write its narrative below."))
                return redirect("monitoring:report", pk=report.pk)
    return render(
        request,
        "monitoring/reports.html",
        {
            "reports": selectors.report_list(actor=user),
            "form": form,
            "can_edit": policy.can(user, "monitoring.edit"),
        },
    )


@login_required
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "monitoring.view")
    user = actor(request)
    report = selectors.report_get(actor=user, pk=pk)
    form = NarrativeForm(
        request.POST or None,
        initial={
            "version": report.version,
            "title": report.title,
            "summary": report.summary,
            "challenges": report.challenges,
            "next_steps": report.next_steps,
        },
    )
    status = 200
    if request.method == "POST":
        policy.require(user, "monitoring.edit")
        if form.is_valid():
            try:
                services.report_update(
                    actor=user,
                    report=report,
                    expected_version=form.cleaned_data["version"],
                    title=form.cleaned_data["title"],
                    summary=form.cleaned_data["summary"],
                    challenges=form.cleaned_data["challenges"],
                    next_steps=form.cleaned_data["next_steps"],
                )
            except DomainError as error:
                apply_error(form, error)
                status = error.status
            else:
                messages.success(request, _("The narrative was saved."))
                return redirect("monitoring:report", pk=pk)
    return render(
        request,
        "monitoring/report.html",
        {
            "report": report,
            "form": form,
            "generate_form": GenerateForm(initial={"language": request.LANGUAGE_CODE}),
            "renditions": report.renditions.all()[:20],
            "can_edit": policy.can(user, "monitoring.edit"),
        },
        status=status,
    )


@require_POST
@login_required
def report_generate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy.require(actor(request), "monitoring.edit")
    report = selectors.report_get(actor=actor(request), pk=pk)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a format and a language."))
        return redirect("monitoring:report", pk=pk)
    rendition = services.rendition_request(
        actor=actor(request),
        report=report,
        format=form.cleaned_data["format"],
        language=form.cleaned_data["language"],
    )
    messages.success(
        request, _("The document is being prepared; it can be downloaded here once ready.")
    )
    return redirect("monitoring:rendition", pk=pk, file_pk=rendition.pk)


@login_required
def rendition_status(request: AuthenticatedHttpRequest, pk: int, file_pk: int) -> HttpResponse:
    policy.require(actor(request), "monitoring.view")
    report = selectors.report_get(actor=actor(request), pk=pk)
    rendition = selectors.rendition_get(actor=actor(request), report=report, pk=file_pk)
    context = {
        "report": report,
        "rendition": rendition,
        "pending": rendition.pending,
    }
    if request.headers.get("HX-Request"):
        return render(request, "monitoring/_rendition.html", context)
    return render(request, "monitoring/rendition.html", context)


@login_required
def rendition_download(
    request: AuthenticatedHttpRequest, pk: int, file_pk: int
) -> HttpResponseBase:
    policy.require(actor(request), "monitoring.view")
    report = selectors.report_get(actor=actor(request), pk=pk)
    rendition = selectors.rendition_download(actor=actor(request), report=report, pk=file_pk)
    content_types = {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "html": "text/html; charset=utf-8",
    }
    return FileResponse(
        rendition.file.open("rb"),
        as_attachment=True,
        filename=(rendition.file.name or "report").rsplit("/", 1)[-1],
        content_type=content_types[rendition.format],
    )
