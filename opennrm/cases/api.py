"""REST API for persons, referrals, cases and services under /api/v1/cases/."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from ninja import Router

router = Router(tags=["cases"])

# Operational endpoints (imports, case-file export, deadlines) come from api_ops when installed.
if find_spec("opennrm.cases.api_ops") is not None:
    router.add_router("", import_module("opennrm.cases.api_ops").router)
