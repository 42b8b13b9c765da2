from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


class TrainingConfig(AppConfig):
    name = "opennrm.training"
    label = "training"
    verbose_name = _("Training")
    nav = [
        NavItem(_("Training"), "training:cohorts", "training.view", order=60),
        NavItem(_("Coverage"), "training:coverage", "training.view", order=61),
    ]
