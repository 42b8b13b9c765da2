"""Statistics pages: the release dashboard (charts with their tables), downloads, the page that
explains disclosure control, the CTDC microdata download and sealed HTCDS exports."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from opennrm.accounts import policy
from opennrm.core.errors import (
    DomainError,
    PermissionDeniedError,
    ValidationFailed,
)
from opennrm.core.http import AuthenticatedHttpRequest, actor
from opennrm.statistics import exports, selectors, services
from opennrm.statistics.disclosure import Profile
from opennrm.statistics.forms import PROFILE_LABELS, HtcdsExportForm, ReleaseForm
from opennrm.statistics.kanon import MISSING
from opennrm.statistics.selectors import StatisticsTable
from opennrm.statistics.tables import Period


def _refused() -> PermissionDeniedError:
    return PermissionDeniedError(_("You do not have permission to do this."))


def _release(
    request: AuthenticatedHttpRequest,
) -> tuple[ReleaseForm, Period, Profile] | None:
    """The form (always bound, so defaults apply), the period and the profile asked for; None
    when the user may see no statistics. Check ``form.errors`` before using the rest."""
    default = selectors.default_profile(actor(request))
    if default is None:
        return None
    query = request.GET.copy()
    # A bound form shows its data, so the default profile is written into it to be selected.
    query.setdefault("profile", default.value)
    form = ReleaseForm(query, profiles=selectors.allowed_profiles(actor(request)), default=default)
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
        raise _refused()
    form, period, profile = release
    if form.errors:
        return render(request, "statistics/index.html", {"form": form, "tables": []}, status=400)
    try:
        tables = selectors.statistics_release(actor=actor(request), period=period, profile=profile)
    except ValidationFailed as error:
        form.add_error(None, error.message)
        for field, message in error.fields.items():
            form.add_error(f"date_{field}", message)
        return render(request, "statistics/index.html", {"form": form, "tables": []}, status=400)
    rows = [
        {
            "table": t,
            "chart": _chart(t),
            "chart_id": f"chart-{t.built.id}",
            # Only gaps to draw: empty axes would read as "nobody", so a message instead.
            "all_hidden": all(cell.value is None for line in t.protected.cells for cell in line),
            # No row at all (e.g. no partner platform registered): nothing to count.
            "empty": not t.protected.cells,
            "lines": list(
                zip(t.built.row_names, t.protected.cells, t.protected.row_totals, strict=True)
            ),
        }
        for t in tables
    ]
    suppressed = sum(t.protected.withheld for t in tables)
    return render(
        request,
        "statistics/index.html",
        {
            "form": form,
            "tables": rows,
            "period": period,
            "profile": profile,
            "profile_label": PROFILE_LABELS[profile],
            "suppressed": suppressed,
            "threshold": tables[0].protected.threshold if tables else 0,
            "query": request.GET.urlencode(),
            # Kept figures (statistics.published) say when they were counted.
            "counted_at": min((t.counted_at for t in tables if t.counted_at), default=None),
        },
    )


@login_required
def download(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    release = _release(request)
    if release is None or fmt not in ("xlsx", "csv"):
        if release is None:
            raise _refused()
        return HttpResponse(status=404)
    form, period, profile = release
    if form.errors:
        return HttpResponse(status=400)
    try:
        tables = selectors.statistics_release(actor=actor(request), period=period, profile=profile)
    except ValidationFailed:
        return HttpResponse(status=400)
    name = f"statistics-{profile.value}-{period.start.isoformat()}-{period.end.isoformat()}.{fmt}"
    if fmt == "xlsx":
        return exports.tables_xlsx(name, tables)
    return exports.tables_csv(name, tables)


@login_required
def about(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.allowed_profiles(actor(request)):
        raise _refused()
    return render(
        request,
        "statistics/about.html",
        {
            "restricted": settings.OPENNRM_RESTRICTED_THRESHOLD,
            "public": settings.OPENNRM_PUBLIC_THRESHOLD,
            "rounding": settings.OPENNRM_PUBLIC_ROUNDING,
            "restricted_spread": selectors.thresholds().restricted_spread,
            "public_spread": selectors.thresholds().public_spread,
            "k": settings.OPENNRM_CTDC_K,
            "country": settings.OPENNRM_COUNTRY_CODE,
        },
    )


@login_required
def ctdc(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "export.ctdc")
    return render(
        request,
        "statistics/ctdc.html",
        {
            "k": settings.OPENNRM_CTDC_K,
            "columns": exports.ctdc_columns(),
            "missing": MISSING,
            "epsilon": settings.OPENNRM_SYNTHETIC_EPSILON,
            "keep": settings.OPENNRM_SYNTHETIC_KEEP,
            "datasets": selectors.synthetic_datasets(actor=actor(request)),
            "exports": selectors.ctdc_exports(actor=actor(request)),
            "ctdc_keep": settings.OPENNRM_CTDC_KEEP,
        },
    )


@require_POST
@login_required
def ctdc_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask the background worker for a CTDC microdata file; on to the page that follows it."""
    export = services.ctdc_request(actor=actor(request))
    messages.success(
        request, _("The CTDC microdata file is being made; it can be downloaded here once ready.")
    )
    return redirect("statistics:ctdc_export", pk=export.pk)


@login_required
def ctdc_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    export = selectors.ctdc_get(actor=actor(request), pk=pk)
    if request.headers.get("HX-Request"):
        return render(request, "statistics/_ctdc_export.html", {"export": export})
    return render(request, "statistics/ctdc_export.html", {"export": export})


@login_required
def ctdc_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    return exports.ctdc_file_response(selectors.ctdc_download(actor=actor(request), pk=pk))


@require_POST
@login_required
def synthetic_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask the background worker for a synthetic dataset; on to the page that follows it."""
    policy.require(actor(request), "export.ctdc")
    try:
        dataset = services.synthetic_request(actor=actor(request))
    except ValidationFailed as error:
        messages.error(request, error.message)
        return redirect("statistics:ctdc")
    messages.success(
        request, _("The synthetic dataset is being made; it can be downloaded here once ready.")
    )
    return redirect("statistics:synthetic", pk=dataset.pk)


@login_required
def synthetic_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    dataset = selectors.synthetic_get(actor=actor(request), pk=pk)
    if request.headers.get("HX-Request"):
        return render(request, "statistics/_synthetic.html", {"dataset": dataset})
    return render(request, "statistics/synthetic.html", {"dataset": dataset})


@login_required
def synthetic_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    from opennrm.statistics.synthetic import dataset_response

    return dataset_response(selectors.synthetic_download(actor=actor(request), pk=pk))


@login_required
@require_http_methods(["GET", "POST"])
def htcds(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "export.htcds")
    form = HtcdsExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sealed = services.htcds_export_create(
                actor=actor(request),
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
    path = services.htcds_export_take(actor=actor(request), token=token)
    handle = path.open("rb")
    # The file is single-use: the open handle keeps the data readable after the name is gone.
    path.unlink()
    return FileResponse(handle, as_attachment=True, filename="htcds-export.onrmseal")
