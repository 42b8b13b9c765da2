"""The one access policy: ``can(user, action, obj)`` and ``scope(user, queryset, action)``.

Two layers. The role table (``roles.ROLE_ACTIONS``) says which actions a user's roles grant at all.
Object rules, registered by each app in its ``rules.py`` (imported from ``AppConfig.ready``), narrow
an action to the records in the user's scope (own / own agency / assigned / all). A model with no
registered scope is visible only through roles that hold the action — there is no implicit "all".

"Break the glass": a user holding ``case.break_glass`` may open one record outside their scope by
stating a reason; the grant is time-limited, audited and flagged for the auditor, and object rules
consult ``has_break_glass``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts.models import BreakGlassGrant, User
from opennrm.accounts.roles import ACTIONS, Role
from opennrm.core.errors import PermissionDeniedError, ValidationFailed

AnyUser = User | AnonymousUser
Rule = Callable[[User, Any], bool]
Scope = Callable[[User, "models.QuerySet[Any]"], "models.QuerySet[Any]"]

_rules: dict[str, Rule] = {}
_scopes: dict[tuple[type[models.Model], str], Scope] = {}


def register_rule(action: str, rule: Rule) -> None:
    """Narrow ``action`` on an object: called only after the role check passed."""
    if action not in ACTIONS:
        raise KeyError(f"Unknown action {action!r}; add it to accounts.roles.ACTIONS.")
    _rules[action] = rule


def register_scope(model: type[models.Model], action: str, scope_fn: Scope) -> None:
    if action not in ACTIONS:
        raise KeyError(f"Unknown action {action!r}; add it to accounts.roles.ACTIONS.")
    _scopes[(model, action)] = scope_fn


def _active(user: AnyUser | None) -> User | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    assert isinstance(user, User)
    return user


def can(user: AnyUser | None, action: str, obj: Any = None) -> bool:
    """Whether ``user`` may perform ``action`` (on ``obj``, when given)."""
    if action not in ACTIONS:
        raise KeyError(f"Unknown action {action!r}.")
    active = _active(user)
    if active is None or action not in active.actions:
        return False
    if obj is None:
        return True
    rule = _rules.get(action)
    return True if rule is None else bool(rule(active, obj))


def require(user: AnyUser | None, action: str, obj: Any = None) -> User:
    """``can`` or raise PermissionDeniedError; returns the user, typed."""
    if not can(user, action, obj):
        raise PermissionDeniedError(_("You do not have permission to do this."))
    active = _active(user)
    assert active is not None
    return active


def scope[M: models.Model](
    user: AnyUser | None, queryset: models.QuerySet[M], action: str
) -> models.QuerySet[M]:
    """The part of ``queryset`` that ``user`` may see for ``action``; empty when nothing."""
    active = _active(user)
    if active is None or action not in active.actions:
        return queryset.none()
    scope_fn = _scopes.get((queryset.model, action))
    if scope_fn is None:
        return queryset
    return scope_fn(active, queryset)


def _may_break_glass(user: User) -> bool:
    """Administration is not access to victims: an account holding the administrator role never
    breaks the glass, nor uses a grant it got before this rule (``User.actions`` drops the
    personal-data roles of such an account too)."""
    return Role.ADMIN not in user.roles


def has_break_glass(user: User, obj: models.Model) -> bool:
    if not _may_break_glass(user):
        return False
    return BreakGlassGrant.objects.filter(
        user=user,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        expires_at__gt=timezone.now(),
    ).exists()


def break_glass_ids(user: User, model: type[models.Model]) -> models.QuerySet[BreakGlassGrant, str]:
    """Object ids (as strings) the user currently holds a break-the-glass grant for."""
    if not _may_break_glass(user):
        return BreakGlassGrant.objects.none().values_list("object_id", flat=True)
    return BreakGlassGrant.objects.filter(
        user=user,
        content_type=ContentType.objects.get_for_model(model),
        expires_at__gt=timezone.now(),
    ).values_list("object_id", flat=True)


def break_glass(*, actor: User, obj: models.Model, reason: str) -> BreakGlassGrant:
    """Grant ``actor`` time-limited access to ``obj``; the reason is mandatory and audited."""
    from opennrm.audit.services import record

    if isinstance(actor, User) and not _may_break_glass(actor):
        raise PermissionDeniedError(
            _(
                "An administrator's account cannot break the glass; administration is not access to victims."
            )
        )
    require(actor, "case.break_glass")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationFailed(
            _("State why you need this record (at least 10 characters)."),
            fields={"reason": _("A reason of at least 10 characters is required.")},
        )
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=actor,
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=str(obj.pk),
            reason=reason,
            expires_at=timezone.now() + timedelta(minutes=settings.OPENNRM_BREAK_GLASS_MINUTES),
        )
        record(actor=actor, verb="access.break_glass", target=obj, purpose=reason, flagged=True)
    return grant
