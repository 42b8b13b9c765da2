"""Statistics API under /api/v1/statistics/: the standard tables with disclosure control, and
the k-anonymous CTDC microdata, the synthetic datasets made in the background."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from opennrm.core import http
from opennrm.core.apischemas import download
from opennrm.core.errors import ValidationFailed
from opennrm.core.models import JobStatus
from opennrm.statistics import exports, selectors, services, synthetic
from opennrm.statistics.disclosure import Cell, Profile
from opennrm.statistics.models import CtdcExport, SyntheticDataset
from opennrm.statistics.tables import Period

router = Router(tags=["statistics"])

# "from" is a Python keyword, so the query parameters are aliased.
_FROM: Any = Query(None, alias="from")
_TO: Any = Query(None, alias="to")
# Each year is a row of the year tables: a bound keeps a release a table, not a calendar.
MAX_YEARS = 50


class TableSummary(Schema):
    id: str
    title: str
    row_dimension: str
    column_dimension: str


class CellOut(Schema):
    row: str
    column: str
    value: int | None
    suppressed: bool


class RowTotalOut(Schema):
    row: str
    value: int | None
    suppressed: bool


class ColumnTotalOut(Schema):
    column: str
    value: int | None
    suppressed: bool


class GrandTotalOut(Schema):
    value: int | None
    suppressed: bool


class TableOut(Schema):
    id: str
    title: str
    row_dimension: str
    column_dimension: str
    cells: list[CellOut]
    row_totals: list[RowTotalOut]
    column_totals: list[ColumnTotalOut]
    grand_total: GrandTotalOut


def period_of(date_from: date | None, date_to: date | None) -> Period:
    """The period asked for; the current calendar year by default."""
    today = timezone.localdate()
    start = date_from or date(today.year, 1, 1)
    end = date_to or date(start.year, 12, 31)
    if end.year - start.year >= MAX_YEARS:
        raise ValidationFailed(
            _("A release covers at most %(years)d years.") % {"years": MAX_YEARS},
            fields={"from": _("Choose a shorter period.")},
        )
    if end < start:
        raise ValidationFailed(
            _("The end of the period must not be before its start."),
            fields={"to": _("Choose a date on or after the start date.")},
        )
    return Period(start, end)


def _value(cell: Cell) -> dict[str, Any]:
    return {"value": cell.value, "suppressed": cell.suppressed}


@router.get("/tables/", response=list[TableSummary])
@paginate
def table_list(request: HttpRequest) -> list[dict[str, str]]:
    return [
        {
            "id": spec.id,
            "title": str(spec.title),
            "row_dimension": spec.row_dimension.key,
            "column_dimension": spec.column_dimension.key,
        }
        for spec in selectors.table_catalogue(actor=http.actor(request))
    ]


@router.get("/tables/{table_id}/", response=TableOut)
def table_detail(
    request: HttpRequest,
    table_id: str,
    date_from: date | None = _FROM,
    date_to: date | None = _TO,
    profile: Profile | None = None,
) -> dict[str, Any]:
    user = http.actor(request)
    chosen = profile or selectors.default_profile(user) or Profile.PUBLIC
    result = selectors.statistics_table(
        actor=user, table_id=table_id, period=period_of(date_from, date_to), profile=chosen
    )
    built, protected = result.built, result.protected
    rows, columns = built.table.row_labels, built.table.column_labels
    return {
        "id": built.id,
        "title": str(built.title),
        "row_dimension": built.row_dimension.key,
        "column_dimension": built.column_dimension.key,
        "cells": [
            {"row": rows[i], "column": columns[j], **_value(cell)}
            for i, line in enumerate(protected.cells)
            for j, cell in enumerate(line)
        ],
        "row_totals": [
            {"row": rows[i], **_value(cell)} for i, cell in enumerate(protected.row_totals)
        ],
        "column_totals": [
            {"column": columns[j], **_value(cell)} for j, cell in enumerate(protected.column_totals)
        ],
        "grand_total": _value(protected.grand_total),
    }


class CtdcColumnLoss(Schema):
    column: str
    given: float
    generalised: float
    withheld: float
    not_recorded: float


class CtdcOut(Schema):
    id: int
    status: str
    progress: int
    k: int
    records_read: int
    records_released: int
    records_suppressed: int
    loss: list[CtdcColumnLoss]
    error: str
    download_url: str | None


def _ctdc(export: CtdcExport) -> CtdcOut:
    from django.urls import reverse

    url = None
    if export.status == JobStatus.DONE:
        url = reverse("api:statistics_ctdc_csv", args=[export.pk])
    return CtdcOut(
        id=export.pk,
        status=export.state,
        progress=export.progress,
        k=export.k,
        records_read=export.records_read,
        records_released=export.records_released,
        records_suppressed=export.records_suppressed,
        loss=[
            CtdcColumnLoss(
                column=name,
                given=shares[0],
                generalised=shares[1],
                withheld=shares[2],
                not_recorded=shares[3],
            )
            for name, shares in export.loss_rows()
        ],
        error=export.problem,
        download_url=url,
    )


@router.post("/ctdc/", response={202: CtdcOut})
def ctdc_request(request: HttpRequest, k: int | None = None) -> Status[CtdcOut]:
    """Ask for CTDC-style k-anonymous microdata of every case, made in the background (tens of
    seconds for a large register: the recoding needs every case first); poll the answer's file
    for its status, its information loss per column and, once made, its download address. ``k``
    may raise the setting, never lower it. While one is being made, this returns that one.
    Requires ``export.ctdc``."""
    export = services.ctdc_request(actor=http.actor(request), k=k)
    export.refresh_from_db()
    return Status(202, _ctdc(export))


@router.get("/ctdc/{pk}", response=CtdcOut)
def ctdc_status(request: HttpRequest, pk: int) -> CtdcOut:
    """A CTDC microdata file's status, progress, export report and, once made, its download
    address."""
    return _ctdc(selectors.ctdc_get(actor=http.actor(request), pk=pk))


@router.get(
    "/ctdc/{pk}/csv",
    response={200: None},
    url_name="statistics_ctdc_csv",
    openapi_extra=download("text/csv", "k-anonymous microdata."),
)
def ctdc_csv(request: HttpRequest, pk: int) -> FileResponse:
    """A made CTDC microdata file as CSV, with its k and record counts in headers."""
    return exports.ctdc_file_response(selectors.ctdc_download(actor=http.actor(request), pk=pk))


class SyntheticOut(Schema):
    id: int
    status: str
    progress: int
    epsilon: float
    k: int
    records_true: int
    records_released: int
    one_way_mean: float | None
    two_way_mean: float | None
    error: str
    download_url: str | None


def _synthetic(dataset: SyntheticDataset) -> SyntheticOut:
    from django.urls import reverse

    url = None
    if dataset.status == JobStatus.DONE:
        url = reverse("api:statistics_synthetic_csv", args=[dataset.pk])
    return SyntheticOut(
        id=dataset.pk,
        status=dataset.state,
        progress=dataset.progress,
        epsilon=dataset.epsilon,
        k=dataset.k,
        records_true=dataset.records_true,
        records_released=dataset.records_released,
        one_way_mean=dataset.one_way_mean,
        two_way_mean=dataset.two_way_mean,
        error=dataset.problem,
        download_url=url,
    )


@router.post("/synthetic/", response={202: SyntheticOut})
def synthetic_request(request: HttpRequest, epsilon: float | None = None) -> Status[SyntheticOut]:
    """Ask for a differentially private synthetic dataset of every case, made in the background
    (minutes for a large register); poll the answer's dataset for its status. ``epsilon`` may
    lower the setting, never raise it. While one is being made, this returns that one. Requires
    ``export.ctdc``."""
    dataset = services.synthetic_request(actor=http.actor(request), epsilon=epsilon)
    dataset.refresh_from_db()
    return Status(202, _synthetic(dataset))


@router.get("/synthetic/{pk}", response=SyntheticOut)
def synthetic_status(request: HttpRequest, pk: int) -> SyntheticOut:
    """A synthetic dataset's status, progress, utility (mean error of the 1- and 2-way
    marginals) and, once made, its download address."""
    return _synthetic(selectors.synthetic_get(actor=http.actor(request), pk=pk))


@router.get(
    "/synthetic/{pk}/csv",
    response={200: None},
    url_name="statistics_synthetic_csv",
    openapi_extra=download("text/csv", "Synthetic microdata."),
)
def synthetic_csv(request: HttpRequest, pk: int) -> FileResponse:
    """A made synthetic dataset as CSV, with its ε, k and marginal errors in headers."""
    dataset = selectors.synthetic_download(actor=http.actor(request), pk=pk)
    return synthetic.dataset_response(dataset)
