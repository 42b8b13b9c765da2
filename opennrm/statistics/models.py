"""Records of the statistics app: synthetic datasets made by the background worker.

Synthesising a million cases takes minutes of both CPUs (bench/README.md), far longer than a web
request may last, so the page and the API ask for a dataset, the worker makes it
(``tasks.make_synthetic``) and the file waits here to be downloaded. The file is the released
synthetic dataset only — differentially private, every combination checked against k — never the
true rows; its utility figures are kept beside it so that the page can show them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from opennrm.core.models import WorkerFile


class SyntheticDataset(WorkerFile):
    """One synthetic dataset asked for by a coordinator, made by the background worker."""

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
