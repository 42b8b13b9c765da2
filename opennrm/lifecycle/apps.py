from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def _dashboard_panel(request: HttpRequest) -> dict[str, Any] | None:
    from opennrm.lifecycle.views import dashboard_panel

    return dashboard_panel(request)  # type: ignore[arg-type]


class LifecycleConfig(AppConfig):
    name = "opennrm.lifecycle"
    label = "lifecycle"
    verbose_name = _("Data lifecycle and operations")
    dashboard_panel = staticmethod(_dashboard_panel)

    @staticmethod
    def processing_restricted(person_id: int) -> bool:
        """A restriction of processing (a data-subject request) is in force for the person."""
        from opennrm.lifecycle.models import DataSubjectRequest

        return DataSubjectRequest.objects.filter(person_id=person_id, restricted=True).exists()

    def ready(self) -> None:
        from opennrm.lifecycle import metrics  # noqa: F401  (connects the failed sign-in counter)
