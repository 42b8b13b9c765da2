"""Statistics pages: the release dashboard (charts with their tables), downloads, the page that
explains disclosure control, the CTDC microdata download and sealed HTCDS exports."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opennrm.accounts import policy
from opennrm.core.errors import DomainError, NotFoundError, PermissionDeniedError
from opennrm.core.http import AuthenticatedHttpRequest
from opennrm.statistics import exports, selectors, services
from opennrm.statistics.disclosure import Profile
from opennrm.statistics.forms import HtcdsExportForm, ReleaseForm
from opennrm.statistics.kanon import MISSING
from opennrm.statistics.selectors import StatisticsTable
from opennrm.statistics.tables import Period


def _refused(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _release(
    request: AuthenticatedHttpRequest,
) -> tuple[ReleaseForm, Period, Profile] | None:
    """The form (always bound, so defaults apply), the period and the profile asked for; None
    when the user may see no statistics. Check ``form.errors`` before using the rest."""
    default = selectors.default_profile(request.user)
    if default is None:
        return None
    query = request.GET.copy()
    # A bound form shows its data, so the default profile is written into it to be selected.
    query.setdefault("profile", default.value)
    form = ReleaseForm(query, profiles=selectors.allowed_profiles(request.user), default=default)
    form.is_valid()
    cleaned: dict[str, Any] = form.cleaned_data
    today = timezone.localdate()
    start: date = cleaned.get("date_from") or date(today.year, 1, 1)
    end: date = cleaned.get("date_to") or date(start.year, 12, 31)
    return form, Period(start, end), Profile(cleaned.get("profile") or default)


def _chart(table: StatisticsTable) -> dict[str, Any]:
    # Withheld figures are gaps in the chart (null), never a value.
    protected, built = table.protected, table.built
    return {
        "type": "bar",
        "stacked": True,
        "labels": list(built.row_names),
        "datasets": [
            {"label": name, "data": [line[j].value for line in protected.cells]}
            for j, name in enumerate(built.column_names)
        ],
    }


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    release = _release(request)
    if release is None:
        return _refused(request)
    form, period, profile = release
    if form.errors:
        return render(request, "statistics/index.html", {"form": form, "tables": []}, status=400)
    try:
        tables = selectors.statistics_release(actor=request.user, period=period, profile=profile)
    except PermissionDeniedError:
        return _refused(request)
    rows = [
        {
            "table": t,
            "chart": _chart(t),
            "chart_id": f"chart-{t.built.id}",
            "lines": list(
                zip(t.built.row_names, t.protected.cells, t.protected.row_totals, strict=True)
            ),
        }
        for t in tables
    ]
    suppressed = sum(t.protected.primary + t.protected.secondary for t in tables)
    return render(
        request,
        "statistics/index.html",
        {
            "form": form,
            "tables": rows,
            "period": period,
            "profile": profile,
            "suppressed": suppressed,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def download(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    release = _release(request)
    if release is None or fmt not in ("xlsx", "csv"):
        return _refused(request) if release is None else HttpResponse(status=404)
    form, period, profile = release
    if form.errors:
        return HttpResponse(status=400)
    try:
        tables = selectors.statistics_release(actor=request.user, period=period, profile=profile)
    except PermissionDeniedError:
        return _refused(request)
    name = f"statistics-{profile.value}-{period.start.isoformat()}-{period.end.isoformat()}.{fmt}"
    if fmt == "xlsx":
        return exports.tables_xlsx(name, tables)
    return exports.tables_csv(name, tables)


@login_required
def about(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.allowed_profiles(request.user):
        return _refused(request)
    return render(
        request,
        "statistics/about.html",
        {
            "restricted": settings.OPENNRM_RESTRICTED_THRESHOLD,
            "public": settings.OPENNRM_PUBLIC_THRESHOLD,
            "rounding": settings.OPENNRM_PUBLIC_ROUNDING,
            "k": settings.OPENNRM_CTDC_K,
            "country": settings.OPENNRM_COUNTRY_CODE,
        },
    )


@login_required
def ctdc(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not policy.can(request.user, "export.ctdc"):
        return _refused(request)
    return render(
        request,
        "statistics/ctdc.html",
        {"k": settings.OPENNRM_CTDC_K, "columns": exports.ctdc_columns(), "missing": MISSING},
    )


@login_required
def ctdc_download(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    if not policy.can(request.user, "export.ctdc"):
        return _refused(request)
    return exports.ctdc_response(actor=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def htcds(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not policy.can(request.user, "export.htcds"):
        return _refused(request)
    form = HtcdsExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sealed = services.htcds_export_create(
                actor=request.user,
                recipient=form.cleaned_data["recipient"],
                purpose=form.cleaned_data["purpose"],
            )
        except DomainError as error:
            for field, message in error.fields.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            return render(request, "statistics/htcds_ready.html", {"sealed": sealed})
    return render(request, "statistics/htcds.html", {"form": form})


@login_required
def htcds_download(request: AuthenticatedHttpRequest, token: str) -> HttpResponse | FileResponse:
    try:
        path = services.htcds_export_take(actor=request.user, token=token)
    except PermissionDeniedError:
        return _refused(request)
    except NotFoundError:
        return render(request, "404.html", {"message": _("Not found.")}, status=404)
    handle = path.open("rb")
    # The file is single-use: the open handle keeps the data readable after the name is gone.
    path.unlink()
    return FileResponse(handle, as_attachment=True, filename="htcds-export.onrmseal")
