from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from opennrm.core.nav import NavItem


class JusticeConfig(AppConfig):
    name = "opennrm.justice"
    label = "justice"
    verbose_name = _("Justice")
    nav = [NavItem(_("Proceedings"), "justice:list", "proceeding.view", order=40)]

    def ready(self) -> None:
        from opennrm.justice import rules  # noqa: F401  (registers the policy rules)

    @staticmethod
    def case_status_link(user: Any, case: Any) -> bool:
        """A justice user may look up the status of a case linked to its agency's proceedings."""
        from opennrm.accounts.roles import Role
        from opennrm.justice.rules import case_linked_to_agency

        return (
            user.has_role(Role.JUSTICE)
            and user.agency_id is not None
            and case_linked_to_agency(case.pk, user.agency_id)
        )

    @staticmethod
    def case_proceedings(user: Any, case: Any) -> list[Any]:
        """Stage and next hearing of the proceedings a case is part of, for the case page."""
        from opennrm.justice.selectors import proceedings_for_case

        return list(proceedings_for_case(actor=user, case=case))

    @staticmethod
    def dashboard_panel(request: object) -> dict[str, object] | None:
        from opennrm.justice.views import hearings_panel

        return hearings_panel(request)
