from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from opennrm.core.http import AuthenticatedHttpRequest


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise; no authentication, no details leaked."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in dashboard: each app may contribute a panel ("what needs me today")."""
    panels = []
    for config in apps.get_app_configs():
        provider = getattr(config, "dashboard_panel", None)
        if provider is None:
            continue
        panel = provider(request)
        if panel is not None:
            panels.append(panel)
    return render(request, "core/home.html", {"panels": panels})


def _api_error(request: HttpRequest, code: str, message: str, status: int) -> HttpResponse | None:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": code, "message": message, "fields": {}}}, status=status
        )
    return None


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _api_error(request, "bad_request", _("The request is not valid."), 400) or render(
        request, "400.html", status=400
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _api_error(
        request, "forbidden", _("You do not have permission to do this."), 403
    ) or render(request, "403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _api_error(request, "not_found", _("Not found."), 404) or render(
        request, "404.html", status=404
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page renders without context processors or the database (they may be what failed)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "error": {
                    "code": "server_error",
                    "message": "An unexpected error occurred.",
                    "fields": {},
                }
            },
            status=500,
        )
    return HttpResponse(loader.get_template("500.html").render(), status=500)
