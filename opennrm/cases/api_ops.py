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
from opennrm.accounts.models import User
from opennrm.cases import imports
from opennrm.cases.casefile import case_file_pdf
from opennrm.cases.dashboard import deadline_list
from opennrm.core.errors import ValidationFailed
from opennrm.core.tabular import TabularError

router = Router(tags=["cases"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class ImportOut(Schema):
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


@router.post("/import/", response={200: ImportOut})
def import_records(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Import legacy records (CSV or XLSX with HTCDS column names) in one go: all rows or none.

    Requires ``case.import``. A file with problems is refused with 400; ``error.fields`` maps
    ``row <n>, <column>`` to the reason. Re-sending the same file creates nothing new.
    """
    actor = _user(request)
    policy.require(actor, "case.import")
    try:
        result = imports.import_legacy_file(
            actor=actor, data=file.read(), filename=file.name or "upload.csv"
        )
    except TabularError as problem:
        fields = {
            f"row {error.row}, {error.column}" if error.column else f"row {error.row}": (
                error.message
            )
            for error in problem.errors
        }
        raise ValidationFailed(problem.message, code=problem.code, fields=fields) from None
    return {
        "rows": result.rows,
        "created": result.created,
        "skipped": result.skipped,
        "codes": result.codes,
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
        for row in deadline_list(actor=_user(request))
    ]


@router.get("/cases/{case_id}/file.pdf", response={200: None})
def case_file(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case file (PDF) for the person concerned, in the request's language. Requires
    ``case.export_file`` on the case; audited as a disclosure to the data subject."""
    filename, pdf = case_file_pdf(actor=_user(request), pk=case_id, language=get_language())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
