"""Human-readable names for audit verbs, so the trail reads "Signed in" rather than "auth.login".

A verb is ``<thing>.<action>`` (``case.update``, ``referral.create``). The platform's own verbs are
registered here; an app registers its verbs from its ``AppConfig.ready()``::

    from django.utils.translation import gettext_lazy as _
    from opennrm.audit.labels import register

    register({
        "case.update": _("Case updated"),
        "case.view_pii": _("Personal data viewed"),
    })

Labels must be lazy translations (they are read in the viewer's language). A verb nobody
registered is shown as it is, so a missing label never hides an entry.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, Promise | str] = {}


def register(labels: Mapping[str, Promise | str]) -> None:
    """Add or replace labels for verbs (later registrations win, so an app may refine one)."""
    _LABELS.update(labels)


def label_for(verb: str) -> str:
    """The label of ``verb`` in the active language, or the verb itself when it has none."""
    label = _LABELS.get(verb)
    return verb if label is None else str(label)


def registered() -> dict[str, str]:
    """Every registered verb and its label in the active language (for the filter's choices)."""
    return {verb: str(label) for verb, label in sorted(_LABELS.items())}


register(
    {
        "auth.login": _("Signed in"),
        "auth.logout": _("Signed out"),
        "auth.login_failed": _("Failed sign-in"),
        "auth.lockout": _("Account locked after failed sign-ins"),
        "auth.unlock": _("Account unlocked"),
        "access.break_glass": _("Break the glass: access outside own cases"),
        "audit.export": _("Audit trail exported"),
        "audit.verify": _("Audit chain verified"),
        "agency.create": _("Agency created"),
        "agency.update": _("Agency updated"),
        "user.create": _("User created"),
        "user.roles": _("User's roles changed"),
        "user.enable": _("User enabled"),
        "user.disable": _("User disabled"),
        "token.issue": _("API token issued"),
        "token.revoke": _("API token revoked"),
    }
)
