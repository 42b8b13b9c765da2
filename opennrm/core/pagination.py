"""Pagination that does not count a million rows on every page.

Django's ``Paginator`` and django-ninja's ``LimitOffsetPagination`` run ``COUNT(*)`` over the whole
filtered list for every page. Over a case manager's scope at 1,000,000 cases that count is
hundreds of milliseconds (it reads every row of the scope; no index avoids it), while the page
itself is an index scan of 50 rows. Here the count stops at ``COUNT_CAP``: up to it the number is
exact; beyond it the list says "more than 10,000" — nobody pages through ten thousand cases, they
narrow the search. ``SELECT COUNT(*) FROM (SELECT … LIMIT 10001)`` reads at most 10,001 rows on
any database, so SQLite takes the same path.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination, PaginationBase

COUNT_CAP = 10_000
MAX_OFFSET = 1_000_000_000


def capped_count(queryset: QuerySet[Any], cap: int | None = None) -> tuple[int, bool]:
    """``(count, False)`` when the queryset has at most ``cap`` (``COUNT_CAP``) rows, else
    ``(cap, True)``."""
    cap = COUNT_CAP if cap is None else cap
    # No ordering and no ``select_related``: the subquery only has to find cap + 1 rows.
    # (``values`` drops them and works on model and row querysets alike; a related column a row
    # queryset reads keeps its join — the API's case list joins the one agency row.)
    found = queryset.order_by().values("pk")[: cap + 1].count()
    return (cap, True) if found > cap else (found, False)


class CappedPaginator(Paginator[Any]):
    """``Paginator`` with the count capped at ``COUNT_CAP``; ``count_capped`` says "more than".

    The pages stop at the cap too (page 200 of 50 rows): a later page number shows the last one.
    """

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        if isinstance(self.object_list, QuerySet):
            return capped_count(self.object_list)
        found = len(self.object_list)
        return (COUNT_CAP, True) if found > COUNT_CAP else (found, False)

    @property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_capped(self) -> bool:
        return self._counted[1]


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """ninja's ``limit``/``offset`` pagination, the default of every API list
    (``NINJA_PAGINATION_CLASS``), with the offset bounded as below: ninja leaves it unbounded, and
    an offset near 2**63 was a 500 on SQLite ("datatype mismatch") instead of a 400."""

    class Input(LimitOffsetPagination.Input):
        # Bounded so that offset + limit always fits the databases' 64-bit integers.
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class CappedLimitOffsetPagination(PaginationBase):
    """``limit``/``offset`` as everywhere in the API, with ``count`` capped at ``COUNT_CAP`` and
    ``count_capped`` true when there are more items than ``count``."""

    class Input(BoundedLimitOffsetPagination.Input):
        """The same ``limit`` and bounded ``offset`` as every other list."""

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            ...,
            description=f"Items in the list; exact up to {COUNT_CAP:,}. When count_capped is "
            f"true there are more than {COUNT_CAP:,} (they are not counted).",
        )
        count_capped: bool = Field(
            ..., description="True when there are more items than count (the count stopped)."
        )

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: Any,
        request: HttpRequest,
        **params: Any,
    ) -> dict[str, Any]:
        offset, limit = (
            pagination.offset,
            min(pagination.limit, ninja_settings.PAGINATION_MAX_LIMIT),
        )
        count, capped = capped_count(queryset)
        return {"items": queryset[offset : offset + limit], "count": count, "count_capped": capped}
