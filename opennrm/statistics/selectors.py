"""Reads of statistics: every page, API answer and download goes through these, so a figure is
protected the same way wherever it is shown.

Permissions: the profile asked for must be allowed by the actor's role (``stats.public``,
``stats.restricted``, ``stats.official`` in ``accounts.roles``); an official (exact) read is
audited. Statistics are national aggregates, so there is no per-record scope: the disclosure
profile is what protects the people counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.core.errors import NotFoundError, PermissionDeniedError
from opennrm.statistics.disclosure import (
    Profile,
    ProtectedTable,
    Thresholds,
    protect,
    protect_linked,
)
from opennrm.statistics.tables import (
    BuiltTable,
    Period,
    TableSpec,
    build_tables,
    standard_tables,
)

PROFILE_ACTIONS = {
    Profile.PUBLIC: "stats.public",
    Profile.RESTRICTED: "stats.restricted",
    Profile.OFFICIAL: "stats.official",
}


@dataclass(frozen=True)
class StatisticsTable:
    built: BuiltTable
    protected: ProtectedTable


def thresholds() -> Thresholds:
    return Thresholds(
        restricted=settings.OPENNRM_RESTRICTED_THRESHOLD,
        public=settings.OPENNRM_PUBLIC_THRESHOLD,
        rounding=settings.OPENNRM_PUBLIC_ROUNDING,
    )


def allowed_profiles(actor: User | None) -> list[Profile]:
    """The release profiles ``actor`` may use, most protective first."""
    return [profile for profile, action in PROFILE_ACTIONS.items() if policy.can(actor, action)]


def default_profile(actor: User | None) -> Profile | None:
    """Restricted when allowed (dashboards), else public; official is only ever chosen."""
    allowed = allowed_profiles(actor)
    for profile in (Profile.RESTRICTED, Profile.PUBLIC):
        if profile in allowed:
            return profile
    return None


def table_catalogue(*, actor: User | None) -> list[TableSpec]:
    """The standard tables; requires any statistics profile."""
    if not allowed_profiles(actor):
        raise PermissionDeniedError(_("You do not have permission to see statistics."))
    return list(standard_tables().values())


def _require_profile(actor: User | None, profile: Profile) -> User:
    if not policy.can(actor, PROFILE_ACTIONS[profile]):
        raise PermissionDeniedError(
            _("Your role does not allow statistics under the %(profile)s profile.")
            % {"profile": profile.value}
        )
    assert actor is not None
    return actor


def _group(table_id: str) -> str:
    # Tables of one population by different rows share their column totals and grand total.
    for prefix in ("presumed_by_", "identified_by_"):
        if table_id.startswith(prefix):
            return prefix
    return table_id


def _protect(built: Sequence[BuiltTable], profile: Profile) -> list[StatisticsTable]:
    groups: dict[str, list[int]] = {}
    for index, table in enumerate(built):
        groups.setdefault(_group(table.id), []).append(index)
    protected: dict[int, ProtectedTable] = {}
    for indexes in groups.values():
        tables = [built[i].table for i in indexes]
        margins = {(t.column_labels, t.column_totals) for t in tables}
        if len(margins) == 1:
            results = protect_linked(tables, profile, thresholds())
        else:
            # Margins that differ (a case identified twice in the period) are not one figure.
            results = [protect(t, profile, thresholds()) for t in tables]
        protected.update(zip(indexes, results, strict=True))
    return [StatisticsTable(b, protected[i]) for i, b in enumerate(built)]


def statistics_release(
    *,
    actor: User | None,
    period: Period,
    profile: Profile,
    table_ids: Sequence[str] | None = None,
) -> list[StatisticsTable]:
    """The standard tables for ``period`` under ``profile`` (all of them, or ``table_ids`` and
    the tables linked to them, returned in catalogue order). Requires the profile's permission;
    an official release is audited."""
    user = _require_profile(actor, profile)
    specs = standard_tables()
    if table_ids is not None:
        unknown = [t for t in table_ids if t not in specs]
        if unknown:
            raise NotFoundError(_("There is no statistics table with this identifier."))
        groups = {_group(t) for t in table_ids}
        specs = {k: v for k, v in specs.items() if _group(k) in groups}
    result = _protect(build_tables(specs.values(), period), profile)
    if profile is Profile.OFFICIAL:
        with transaction.atomic():
            record(
                actor=user,
                verb="statistics.view_official",
                target_type="statistics.release",
                target_id=f"{period.start.isoformat()}..{period.end.isoformat()}",
                target_label=",".join(t.built.id for t in result)[:200],
                purpose="official statistics",
            )
    return result


def statistics_table(
    *, actor: User | None, table_id: str, period: Period, profile: Profile
) -> StatisticsTable:
    """One standard table, protected together with the tables it shares margins with."""
    for table in statistics_release(
        actor=actor, period=period, profile=profile, table_ids=[table_id]
    ):
        if table.built.id == table_id:
            return table
    raise NotFoundError(_("There is no statistics table with this identifier."))
