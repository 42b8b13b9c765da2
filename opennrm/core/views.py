from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
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
