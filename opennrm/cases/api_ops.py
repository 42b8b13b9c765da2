"""Operational API of cases, mounted by ``cases/api.py`` under /api/v1/cases/: legacy import,
the caller's deadlines and the case-file PDF. Thin adapters over ``imports``, ``dashboard`` and
``casefile``; errors use the API's one format (a bad import file is a 400 whose ``fields`` name
each problem as ``row <n>, <column>``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from opennrm.accounts import policy
from opennrm.cases.casefile import case_file_pdf
from opennrm.cases.dashboard import deadline_list
from opennrm.core import http
from opennrm.core.apischemas import download
from opennrm.core.tabular import read_upload
from opennrm.imports.services import import_file

router = Router()  # tagged "cases" by the router that mounts it


class CaseImportOut(Schema):
    rows: int
    created: int
    skipped: int
    codes: list[str]


class DeadlineOut(Schema):
    kind: str
    label: str
    code: str
    record_type: str
    record_id: int
    case_id: int | None
    due: datetime
    overdue: bool
    reminder_sent_from: datetime


@router.post("/import/", response=CaseImportOut)
def import_records(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Import legacy records (CSV or XLSX with HTCDS column names) in one go: all rows or none,
    through the import pipeline's case import with the suggested (or remembered) mappings.

    Requires ``case.import``. A file with problems is refused with 400; ``error.fields`` maps
    ``row <n>, <column>`` to the reason. Re-sending the same file creates nothing new.
    """
    actor = http.actor(request)
    policy.require(actor, "case.import")
    # A bad file raises TabularError: a 400 whose ``fields`` name "file" or "row N, column".
    result = import_file(
        actor=actor,
        spec_key="cases",
        data=read_upload(file, filename=file.name or ""),
        filename=file.name or "upload.csv",
    )
    return {
        "rows": result.rows,
        "created": result.created,
        "skipped": result.skipped,
        "codes": [
            reference for _row, outcome, reference in result.outcomes if outcome == "created"
        ],
    }


@router.get("/deadlines/", response=list[DeadlineOut])
@paginate
def my_deadlines(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's open deadlines, soonest first (the home page's "What needs me today")."""
    return [
        {
            "kind": row.deadline.kind.value,
            "label": row.label,
            "code": row.deadline.code,
            "record_type": row.deadline.record_type,
            "record_id": row.deadline.record_id,
            "case_id": row.deadline.case_id,
            "due": row.deadline.due,
            "overdue": row.overdue,
            "reminder_sent_from": row.deadline.alert_at,
        }
        for row in deadline_list(actor=http.actor(request))
    ]


@router.get(
    "/cases/{case_id}/file.pdf",
    response={200: None},
    openapi_extra=download("application/pdf", "The case file (PDF)."),
)
def case_file(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case file (PDF) for the person concerned, in the request's language. Requires
    ``case.export_file`` on the case; audited as a disclosure to the data subject."""
    filename, pdf = case_file_pdf(actor=http.actor(request), pk=case_id, language=get_language())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
