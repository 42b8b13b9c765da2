"""Records of the statistics app: the public microdata files (CTDC k-anonymous microdata and
synthetic datasets) made by the background worker.

Synthesising a million cases takes minutes of both CPUs (bench/README.md), far longer than a web
request may last, so the page and the API ask for a dataset, the worker makes it
(``tasks.make_synthetic``) and the file waits here to be downloaded. The file is the released
synthetic dataset only — differentially private, every combination checked against k — never the
true rows; its utility figures are kept beside it so that the page can show them.

The CTDC file is made the same way: its local recoding needs every case before the first row can
be written (12-34 s at a million cases, bench/README.md), so in a request it would hold a web
process that long with nothing sent, close to the proxy's timeout; made in the background it is
written once, and its information loss per column is kept for the page to state.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from opennrm.core.models import WorkerFile

# A file still queued this long after it was asked for, or being made with no progress saved for
# STALLED_AFTER, is taken as lost (the worker stopped or was restarted with it): it no longer holds
# back a new request, its page says so, and it goes when a newer file is made. Queued files may
# wait behind a synthetic dataset (minutes at a million cases); a file being made saves progress
# every part of the synthesis (under a minute each) or step of the recoding.
LOST_AFTER = timedelta(hours=6)
STALLED_AFTER = timedelta(minutes=30)


class SyntheticDataset(WorkerFile):
    """One synthetic dataset asked for by a coordinator, made by the background worker."""

    lost_after: ClassVar[timedelta | None] = LOST_AFTER
    stalled_after: ClassVar[timedelta | None] = STALLED_AFTER

    epsilon = models.FloatField(_("privacy budget ε"))
    k = models.PositiveIntegerField(_("k"))
    file = models.FileField(upload_to="statistics/synthetic/%Y/", blank=True)
    records_true = models.PositiveIntegerField(_("cases"), default=0)
    records_released = models.PositiveIntegerField(_("rows released"), default=0)
    one_way_mean = models.FloatField(_("mean 1-way marginal error"), null=True, blank=True)
    two_way_mean = models.FloatField(_("mean 2-way marginal error"), null=True, blank=True)

    @property
    def audit_label(self) -> str:
        return f"synthetic dataset {self.pk}"


class CtdcExport(WorkerFile):
    """One CTDC-style k-anonymous microdata file asked for by a coordinator, made by the
    background worker, with its export report."""

    lost_after: ClassVar[timedelta | None] = LOST_AFTER
    stalled_after: ClassVar[timedelta | None] = STALLED_AFTER

    k = models.PositiveIntegerField(_("k"))
    file = models.FileField(upload_to="statistics/ctdc/%Y/", blank=True)
    records_read = models.PositiveIntegerField(_("cases"), default=0)
    records_released = models.PositiveIntegerField(_("rows released"), default=0)
    records_suppressed = models.PositiveIntegerField(_("rows suppressed"), default=0)
    # Information loss per column, in the columns' order: [column, given, generalised, withheld,
    # not recorded], each a share of the released records (``kanon.ColumnLoss.shares``). A list,
    # not an object: PostgreSQL's jsonb does not keep the order of an object's keys.
    loss = models.JSONField(_("information loss per column"), default=list, blank=True)

    @property
    def audit_label(self) -> str:
        return f"CTDC microdata {self.pk}"

    def loss_rows(self) -> list[tuple[str, list[float]]]:
        """The export report as (column, [given, generalised, withheld, not recorded]) rows."""
        return [(str(row[0]), [float(share) for share in row[1:]]) for row in self.loss]


class MonthCount(models.Model):
    """One cell of a victim breakdown for one calendar month, counted ahead of the releases
    (``statistics.cube``): the number of victims of ``population`` in the month with that
    breakdown's code ``row`` and sex ``sex``, and the sum of their record keys modulo the key
    range (the cell-key method needs it). Exact counts: read only by ``tables``, never shown."""

    population = models.CharField(max_length=20)
    month = models.DateField()
    breakdown = models.CharField(max_length=20)
    row = models.CharField(max_length=200)
    sex = models.CharField(max_length=10)
    n = models.PositiveIntegerField()
    key_sum = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["month", "population"], name="monthcount_month")]

    def __str__(self) -> str:
        return f"{self.population} {self.month:%Y-%m} {self.breakdown} {self.row} {self.sex}"


class CountedMonth(models.Model):
    """A month whose ``MonthCount`` rows were counted by the rules whose ``signature`` they
    carry. They are current while no ``StaleMonth`` names the month."""

    month = models.DateField(primary_key=True)
    signature = models.CharField(max_length=64)
    counted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class StaleMonth(models.Model):
    """A month whose counts a committed change may have moved: written by the database's own
    triggers on the cases, persons, referrals, agencies and identification decisions (migration
    0003), removed when the month is counted again."""

    id = models.BigAutoField(primary_key=True)
    month = models.DateField(db_index=True)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class RecordTimes(models.Model):
    """How many rows a case has in a distinct-counted population (``statistics.cube``):
    identification decisions (``row`` empty), residence permits or service requests of type
    ``row``, whatever their outcome or status. Kept by the database's triggers in the
    transaction that adds, changes or removes the rows (migration 0004), so it is always true;
    two transactions adding the first row of a case at once meet on the unique constraint, and
    the second counts the first. A case with more than one (``times`` > 1) is left out of the
    kept months and counted from the rows of the whole period, once."""

    population = models.CharField(max_length=20)
    case_id = models.BigIntegerField()
    row = models.CharField(max_length=40, blank=True)
    times = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["population", "case_id", "row"], name="recordtimes_key")
        ]
        indexes = [
            models.Index(
                fields=["population", "case_id", "row"],
                condition=models.Q(times__gt=1),
                name="recordtimes_repeated",
            )
        ]

    def __str__(self) -> str:
        return f"{self.population} case {self.case_id} {self.row} ×{self.times}"
