from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.urls import URLPattern, URLResolver

app_name = "cases"

urlpatterns: list[URLPattern | URLResolver] = []

# Operational pages (imports, case-file export, deadlines) live in urls_ops when installed.
if find_spec("opennrm.cases.urls_ops") is not None:
    urlpatterns += import_module("opennrm.cases.urls_ops").urlpatterns
