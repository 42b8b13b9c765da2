"""The audit trail as pages: browse and filter, export as CSV, verify the chain."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from opennrm.accounts import policy
from opennrm.audit.forms import EntryFilterForm
from opennrm.audit.selectors import EntryFilters, entry_list
from opennrm.audit.services import record, seal_pending
from opennrm.audit.verification import verify_chain
from opennrm.core.http import AuthenticatedHttpRequest


def _filters(request: AuthenticatedHttpRequest) -> tuple[EntryFilterForm, EntryFilters]:
    form = EntryFilterForm(request.GET or None)
    if form.is_valid():
        return form, EntryFilters(
            **{k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        )
    return form, EntryFilters()


@login_required
def entries(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not policy.can(request.user, "audit.view"):
        return render(request, "403.html", status=403)
    form, filters = _filters(request)
    page = Paginator(entry_list(actor=request.user, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/entries.html", {"form": form, "page": page, "query": query.urlencode()}
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


_INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """CSV formula injection guard: spreadsheet apps execute cells starting with these."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_INJECTION_PREFIXES) else text


@login_required
def export(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    if not policy.can(request.user, "audit.view"):
        return render(request, "403.html", status=403)
    _form, filters = _filters(request)
    rows = entry_list(actor=request.user, filters=filters)
    record(
        actor=request.user,
        verb="audit.export",
        purpose="audit trail export",
        changes={"filters": [None, str(filters)]},
    )
    writer = csv.writer(_Echo())
    header = [
        "id",
        "at",
        "actor",
        "agency",
        "action",
        "record_type",
        "record_id",
        "record",
        "purpose",
        "recipient",
        "changes",
        "flagged",
        "ip",
    ]

    def stream() -> Iterator[str]:
        yield writer.writerow(header)
        for e in rows.iterator(chunk_size=2000):
            yield writer.writerow(
                [_cell(v) for v in (e.pk, e.at.isoformat(), e.actor_label, e.agency_label, e.verb, e.target_type,
                                    e.target_id, e.target_label, e.purpose, e.recipient, e.changes, e.flagged, e.ip)]
            )  # fmt: skip

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response


@login_required
@require_POST
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not policy.can(request.user, "audit.verify"):
        return render(request, "403.html", status=403)
    seal_pending()
    report = verify_chain()
    record(
        actor=request.user,
        verb="audit.verify",
        changes={"ok": [None, report.ok], "checked": [None, report.checked]},
    )
    return render(request, "audit/verify.html", {"report": report})
