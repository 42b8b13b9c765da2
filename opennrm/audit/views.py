"""The audit trail as pages: browse and filter, export as CSV, verify the chain."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from opennrm.accounts import policy
from opennrm.audit import chain
from opennrm.audit.forms import EntryFilterForm
from opennrm.audit.labels import label_for
from opennrm.audit.selectors import EntryFilters, entry_export, entry_list
from opennrm.audit.services import chain_verify
from opennrm.core.exports import csv_response
from opennrm.core.http import AuthenticatedHttpRequest, actor
from opennrm.core.pagination import CappedPaginator


def _filters(request: AuthenticatedHttpRequest) -> tuple[EntryFilterForm, EntryFilters]:
    form = EntryFilterForm(request.GET or None)
    if form.is_valid():
        return form, EntryFilters(
            **{k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        )
    return form, EntryFilters()


@login_required
def entries(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "audit.view")
    form, filters = _filters(request)
    page = CappedPaginator(entry_list(actor=actor(request), filters=filters), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/entries.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@login_required
def export(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered trail as CSV, streamed; the export is itself an audit entry."""
    policy.require(actor(request), "audit.view")
    _form, filters = _filters(request)
    entries = entry_export(actor=actor(request), filters=filters)
    headers = [
        "id",
        "at",
        "actor",
        "agency",
        "action",
        "action_label",
        "record_type",
        "record_id",
        "record",
        "purpose",
        "recipient",
        "changed_fields",
        "flagged",
        "ip",
    ]

    def rows() -> Iterator[list[object]]:
        for e in entries.iterator(chunk_size=2000):
            yield [
                e.pk,
                e.at.isoformat(),
                e.actor_label,
                e.agency_label,
                e.verb,
                label_for(e.verb),
                e.target_type,
                e.target_id,
                e.target_label,
                e.purpose,
                e.recipient,
                json.dumps(e.changes, ensure_ascii=False, sort_keys=True),
                e.flagged,
                e.ip,
            ]

    return csv_response("audit-trail.csv", headers, rows())


@login_required
@require_POST
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(actor(request), "audit.verify")
    report = chain_verify(actor=actor(request))
    problems = [
        (problem.entry_id, problem.seq, _PROBLEMS.get(problem.code, problem.reason))
        for problem in report.problems
    ]
    return render(request, "audit/verify.html", {"report": report, "problems": problems})


_PROBLEMS = {
    chain.SEAL_MISSING: _("the seal before it is missing (a seal was deleted)"),
    chain.LINK_BROKEN: _(
        "the link to the previous seal does not match (seals reordered or deleted)"
    ),
    chain.ENTRY_DELETED: _("the sealed entry was deleted"),
    chain.WRONG_ENTRY: _("the seal points at a different entry"),
    chain.ALTERED: _("the entry's content was altered (or entries were swapped)"),
}
