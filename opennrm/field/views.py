"""Field work: the installable offline app's page, its service worker, manifest and catalogues.

The page is a shell with no personal data in it (what the device keeps offline is stored
encrypted by ``static/field/field.js``); the service worker caches the shell, the scripts and
styles and the catalogues after one signed-in visit, so the app opens with no network at all.
"""

from __future__ import annotations

import hashlib
import json
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import Context, Template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opennrm.accounts import policy
from opennrm.accounts import selectors as account_selectors
from opennrm.core.http import AuthenticatedHttpRequest
from opennrm.field import selectors, services
from opennrm.field.catalogue import offline_catalogues
from opennrm.field.services import is_field_user

# What the device needs to open the app with no network; personal data never goes here.
SHELL_STATIC = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.min.js",
    "core/app.css",
    "core/forms.js",
    "core/tables.js",
    "core/favicon.svg",
    "field/field.css",
    "field/rules.js",
    "field/store.js",
    "field/field.js",
)


def _require_field_role(request: AuthenticatedHttpRequest) -> None:
    if not is_field_user(request.user):
        raise PermissionDenied


def _htmx_urls() -> list[str]:
    # The base template's htmx script, wherever django-htmx keeps it in this version.
    html = Template("{% load django_htmx %}{% htmx_script minified=True %}").render(Context())
    return re.findall(r'src="([^"]+)"', html)


def shell_urls() -> list[str]:
    """The URLs the service worker caches on install (the shell, its assets, the catalogues).
    The first is the page, the third the catalogues (the worker refreshes those two first)."""
    return [
        reverse("field:home"),
        reverse("field:manifest"),
        reverse("field:catalogues"),
        *(static(name) for name in SHELL_STATIC),
        *_htmx_urls(),
    ]


@login_required
@require_GET
def field_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_field_role(request)
    return render(
        request,
        "field/home.html",
        {
            "offline_days": settings.OPENNRM_FIELD_OFFLINE_DAYS,
            "sw_url": reverse("field:service_worker"),
            "can_screen": policy.can(request.user, "screening.create"),
        },
    )


@login_required
@require_GET
def catalogues(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The rule table, indicators and wording (reference data, no personal data)."""
    _require_field_role(request)
    response = JsonResponse(offline_catalogues(), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def service_worker(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The service worker, with the list of shell URLs and a cache name that changes whenever
    they or the catalogues change (so the browser installs the new worker and refreshes).

    Served under /field/ but controlling the whole site (``Service-Worker-Allowed: /``): every
    page the worker does not own is passed through untouched.
    """
    urls = shell_urls()
    digest = hashlib.sha256(json.dumps([urls, offline_catalogues()["version"]]).encode())
    config = {"cache": "onrm-field-" + digest.hexdigest()[:12], "shell": urls, "home": urls[0]}
    response = render(
        request,
        "field/sw.js",
        {"config": json.dumps(config)},
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: AuthenticatedHttpRequest) -> JsonResponse:
    data = {
        "name": _("OpenNRM field work"),
        "short_name": _("OpenNRM"),
        "start_url": reverse("field:home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0d6efd",
        "icons": [{"src": static("core/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@login_required
@require_GET
def devices(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Administrators: the field devices in use, and the remote wipe of a user's devices."""
    if not policy.can(request.user, "user.manage"):
        raise PermissionDenied
    return render(
        request, "field/devices.html", {"devices": selectors.device_list(actor=request.user)[:500]}
    )


@login_required
@require_POST
def devices_wipe(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    if not policy.can(request.user, "user.manage"):
        raise PermissionDenied
    user = get_object_or_404(account_selectors.user_list(actor=request.user), pk=user_id)
    count = services.device_wipe_request(actor=request.user, user=user)
    messages.success(
        request,
        _("%(count)d device(s) of %(user)s will erase their field work data at their next contact.")
        % {"count": count, "user": user.get_username()},
    )
    return redirect("field:devices")
