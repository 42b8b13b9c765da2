"""Reads of statistics: every page, API answer and download goes through these, so a figure is
protected the same way wherever it is shown.

Permissions: the profile asked for must be allowed by the actor's role (``stats.public``,
``stats.restricted``, ``stats.official`` in ``accounts.roles``); an official (exact) read is
audited. Statistics are national aggregates, so there is no per-record scope: the disclosure
profile is what protects the people counted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from opennrm.core.models import JobStatus
from opennrm.statistics import periods, published
from opennrm.statistics.disclosure import (
    Cell,
    Profile,
    ProtectedTable,
    Reason,
    Thresholds,
    protect,
    protect_count,
    threshold_for,
)
from opennrm.statistics.models import CtdcExport, SyntheticDataset
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
    # When the figures were counted (``published``): now for a table counted for this read.
    counted_at: datetime | None = None


def thresholds() -> Thresholds:
    return Thresholds(
        restricted=settings.OPENNRM_RESTRICTED_THRESHOLD,
        public=settings.OPENNRM_PUBLIC_THRESHOLD,
        rounding=settings.OPENNRM_PUBLIC_ROUNDING,
        restricted_spread=settings.OPENNRM_RESTRICTED_SPREAD,
        public_spread=settings.OPENNRM_PUBLIC_SPREAD,
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


def require_fixed_period(period: Period, profile: Profile) -> None:
    """Refuse a period other than a calendar month, quarter or year for a perturbed profile
    (``periods``: free periods would let noise be averaged away)."""
    if profile is Profile.OFFICIAL or periods.is_fixed(period.start, period.end):
        return
    message = _(
        "Under the %(profile)s profile figures are released for a calendar month, quarter or "
        "year only (for example 2024-04-01 to 2024-06-30), so that releases cannot be "
        "subtracted from one another."
    ) % {"profile": profile.value}
    raise ValidationFailed(
        message,
        fields={
            "from": _("Choose the first day of a month, quarter or year."),
            "to": _("Choose the last day of that month, quarter or year."),
        },
    )


def statistics_release(
    *,
    actor: User | None,
    period: Period,
    profile: Profile,
    table_ids: Sequence[str] | None = None,
    fresh: bool = False,
) -> list[StatisticsTable]:
    """The standard tables (all, or ``table_ids`` in catalogue order) for ``period`` under
    ``profile``. Requires the profile's permission; ``restricted`` and ``public`` only for a
    calendar month, quarter or year (ValidationFailed otherwise); an official release is
    audited. ``restricted`` and ``public`` tables are read from the published figures when they
    were counted less than ``OPENNRM_FIGURES_MAX_AGE`` seconds ago (``published``; ``fresh``
    counts them anew)."""
    user = _require_profile(actor, profile)
    require_fixed_period(period, profile)
    specs = standard_tables()
    if table_ids is not None:
        unknown = [t for t in table_ids if t not in specs]
        if unknown:
            raise NotFoundError(_("There is no statistics table with this identifier."))
        specs = {k: v for k, v in specs.items() if k in table_ids}
    limits = thresholds()
    if profile is not Profile.OFFICIAL and published.max_age() > 0:
        return _published(list(specs.values()), period, profile, fresh=fresh)
    built = build_tables(specs.values(), period)
    result = [StatisticsTable(b, protect(b.table, profile, limits)) for b in built]
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


def _published(
    specs: list[TableSpec], period: Period, profile: Profile, *, fresh: bool
) -> list[StatisticsTable]:
    limits = thresholds()
    pairs, counted_at = published.release(
        specs,
        period,
        profile,
        limits,
        lambda wanted: [
            (b, protect(b.table, profile, limits)) for b in build_tables(wanted, period)
        ],
        fresh=fresh,
    )
    return [StatisticsTable(b, p, counted_at) for b, p in pairs]


def refresh_published(
    period: Period, profiles: Sequence[Profile] = (Profile.RESTRICTED, Profile.PUBLIC)
) -> None:
    """Count every standard table of ``period`` anew, once, and keep it as released under each
    of ``profiles`` (not ``official``; ``published``): the worker's job ahead of the pages. No
    actor: it shows nothing to anyone, and what it keeps is only what each profile releases."""
    for profile in profiles:
        require_fixed_period(period, profile)
    limits = thresholds()
    now = timezone.now()
    built = build_tables(standard_tables().values(), period)
    for profile in profiles:
        published.keep(
            period,
            profile,
            limits,
            [protect(b.table, profile, limits) for b in built],
            now,
            [b.id for b in built],
        )


def statistics_table(
    *, actor: User | None, table_id: str, period: Period, profile: Profile
) -> StatisticsTable:
    """One standard table (see :func:`statistics_release`)."""
    for table in statistics_release(
        actor=actor, period=period, profile=profile, table_ids=[table_id]
    ):
        if table.built.id == table_id:
            return table
    raise NotFoundError(_("There is no statistics table with this identifier."))


def sum_of_released(parts: Sequence[Cell], profile: Profile = Profile.RESTRICTED) -> Cell:
    """The figure of a period made of fixed periods: the sum of their published figures, shown
    as "<T" when that sum is 0 and some part was (a part shown "<T" may be up to T - 1)."""
    total = sum(part.value or 0 for part in parts)
    threshold = threshold_for(profile, thresholds())
    if total == 0 and (not parts or any(part.suppressed for part in parts)):
        return Cell(None, True, Reason.SMALL, f"<{threshold}")
    return Cell(total, False, None, str(total))


def released_figure(
    *,
    actor: User | None,
    table_id: str,
    row_code: str,
    start: date,
    end: date,
    profile: Profile = Profile.RESTRICTED,
) -> Cell:
    """The row total ``row_code`` of standard table ``table_id`` for any period: exact and
    audited under ``official``; otherwise the sum of the published row totals of the fixed
    periods covering the period's whole months (``periods.fixed_cover``), so that asking for
    every day adds nothing to what the fixed releases show. Requires the profile's permission."""
    if profile is Profile.OFFICIAL:
        table = statistics_table(
            actor=actor, table_id=table_id, period=Period(start, end), profile=profile
        )
        index = table.built.table.row_labels.index(row_code)
        return table.protected.row_totals[index]
    _require_profile(actor, profile)
    parts = []
    for span in periods.fixed_cover(start, end):
        table = statistics_table(
            actor=actor, table_id=table_id, period=Period(span.start, span.end), profile=profile
        )
        labels = table.built.table.row_labels
        if row_code in labels:
            parts.append(table.protected.row_totals[labels.index(row_code)])
    return sum_of_released(parts, profile)


def released_count(
    *,
    count: Callable[[date, date], tuple[int, int]],
    start: date,
    end: date,
    profile: Profile = Profile.RESTRICTED,
) -> Cell:
    """A count over any period released like :func:`released_figure`: ``count(first, last)``
    gives the true count of a fixed period and the sum of its records' keys
    (``keys.RecordKey``). The caller has checked the permission of its source."""
    if profile is Profile.OFFICIAL:
        n, _key = count(start, end)
        return Cell(n, False, None, str(n))
    parts = []
    for span in periods.fixed_cover(start, end):
        n, key_sum = count(span.start, span.end)
        parts.append(protect_count(n, key_sum, profile, thresholds()))
    return sum_of_released(parts, profile)


# --- public microdata files made by the background worker: synthetic datasets
# (``services.synthetic_request``) and CTDC files (``services.ctdc_request``) ---------------------


def _made_files[M: (SyntheticDataset, CtdcExport)](
    actor: User, model: type[M], limit: int
) -> list[M]:
    policy.require(actor, "export.ctdc")
    return list(model.objects.select_related("requested_by")[:limit])


def _made_file[M: (SyntheticDataset, CtdcExport)](
    actor: User, model: type[M], pk: int, missing: str
) -> M:
    policy.require(actor, "export.ctdc")
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise NotFoundError(missing)
    return found


def _released[M: (SyntheticDataset, CtdcExport)](
    actor: User, made: M, not_ready: str, verb: str, purpose: str
) -> M:
    """``made`` for a download, audited; NotFoundError while it is not made yet."""
    if made.status != JobStatus.DONE or not made.file:
        raise NotFoundError(not_ready)
    record(actor=actor, verb=verb, target=made, purpose=purpose)
    return made


def synthetic_datasets(*, actor: User, limit: int = 10) -> list[SyntheticDataset]:
    """The latest synthetic datasets asked for; requires ``export.ctdc``."""
    return _made_files(actor, SyntheticDataset, limit)


def synthetic_get(*, actor: User, pk: int) -> SyntheticDataset:
    """One synthetic dataset (any coordinator's: the file is public microdata); requires
    ``export.ctdc``; NotFoundError when there is no such dataset."""
    return _made_file(actor, SyntheticDataset, pk, _("This synthetic dataset does not exist."))


def synthetic_download(*, actor: User, pk: int) -> SyntheticDataset:
    """A made synthetic dataset, for a download (audited here); NotFoundError while it is not
    made yet, as when it does not exist."""
    return _released(
        actor,
        synthetic_get(actor=actor, pk=pk),
        _("This synthetic dataset is not ready."),
        "statistics.synthetic.download",
        "public synthetic microdata release",
    )


def ctdc_exports(*, actor: User, limit: int = 10) -> list[CtdcExport]:
    """The latest CTDC microdata files asked for; requires ``export.ctdc``."""
    return _made_files(actor, CtdcExport, limit)


def ctdc_get(*, actor: User, pk: int) -> CtdcExport:
    """One CTDC microdata file (any coordinator's: the file is public microdata); requires
    ``export.ctdc``; NotFoundError when there is no such file."""
    return _made_file(actor, CtdcExport, pk, _("This CTDC microdata file does not exist."))


def ctdc_download(*, actor: User, pk: int) -> CtdcExport:
    """A made CTDC microdata file, for a download (audited here); NotFoundError while it is not
    made yet, as when it does not exist."""
    return _released(
        actor,
        ctdc_get(actor=actor, pk=pk),
        _("This CTDC microdata file is not ready."),
        "statistics.ctdc.download",
        "public microdata release",
    )
