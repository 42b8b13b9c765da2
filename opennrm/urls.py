"""URL map. Each app under ``OPENNRM_APPS`` that has a ``urls`` module is mounted at its label."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.urls import include, path

from opennrm.core import views as core_views
from opennrm.core.restapi import api, openapi_schema

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("opennrm.lifecycle.urls_ops")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("api/schema/", openapi_schema, name="openapi-schema"),
]

# /accounts/ belongs to allauth (sign-in, 2FA); user administration lives under /manage/.
_PREFIXES = {"accounts": "manage/"}
for _app in settings.OPENNRM_APPS:
    _label = _app.rsplit(".", 1)[1]
    if find_spec(f"{_app}.urls") is None:
        continue
    _module = import_module(f"{_app}.urls")
    _prefix = _PREFIXES.get(_label, f"{_label}/")
    urlpatterns.append(path(_prefix, include((_module.urlpatterns, _label), namespace=_label)))

handler400 = "opennrm.core.views.bad_request"
handler403 = "opennrm.core.views.permission_denied"
handler404 = "opennrm.core.views.not_found"
handler500 = "opennrm.core.views.server_error"
