"""Writes for agencies, users, roles and API tokens. Each: keyword-only, one transaction, audited."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import Agency, ApiToken, RoleAssignment, User
from opennrm.accounts.roles import AgencyType, Role
from opennrm.audit.services import changes_of, record
from opennrm.core.errors import ValidationFailed
from opennrm.core.models import save_versioned

TOKEN_PREFIX = "onrm"  # noqa: S105 - a public marker, not a secret


def _clean_roles(roles: Iterable[str]) -> set[str]:
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ValidationFailed(
            _("Unknown role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))},
            fields={"roles": _("Choose roles from the list.")},
        )
    if not wanted:
        raise ValidationFailed(
            _("A user needs at least one role."), fields={"roles": _("Choose a role.")}
        )
    return wanted


def agency_create(
    *,
    actor: User | None,
    name: str,
    type: str,
    name_sr: str = "",
    short_name: str = "",
    municipality: str = "",
) -> Agency:
    """Create an agency. Requires ``agency.manage`` (``actor=None`` only for system setup)."""
    if actor is not None:
        policy.require(actor, "agency.manage")
    if type not in AgencyType.values:
        raise ValidationFailed(
            _("Unknown agency type."), fields={"type": _("Choose a type from the list.")}
        )
    if Agency.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationFailed(
            _("An agency with this name already exists."), fields={"name": _("This name is taken.")}
        )
    with transaction.atomic():
        agency = Agency.objects.create(
            name=name.strip(), type=type, name_sr=name_sr.strip(), short_name=short_name.strip(),
            municipality=municipality.strip(),
        )  # fmt: skip
        record(actor=actor, verb="agency.create", target=agency, actor_label="system")
    return agency


def agency_update(
    *, actor: User, agency: Agency, expected_version: int, **values: str | bool
) -> Agency:
    """Edit an agency's names, type, municipality or active flag. Requires ``agency.manage``.

    Optimistic concurrency: ``expected_version`` is the version the editor read; a save made by
    someone else in between raises StaleRecordError (409) and nothing is written.
    """
    policy.require(actor, "agency.manage")
    allowed = {"name", "name_sr", "short_name", "type", "municipality", "is_active"}
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValidationFailed(_("Field %(name)s cannot be changed.") % {"name": unknown[0]})
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    if "name" in cleaned:
        if not cleaned["name"]:
            raise ValidationFailed(_("An agency needs a name."), fields={"name": _("Required.")})
        if Agency.objects.filter(name__iexact=cleaned["name"]).exclude(pk=agency.pk).exists():
            raise ValidationFailed(
                _("An agency with this name already exists."),
                fields={"name": _("This name is taken.")},
            )
    if "type" in cleaned and cleaned["type"] not in AgencyType.values:
        raise ValidationFailed(
            _("Unknown agency type."), fields={"type": _("Choose a type from the list.")}
        )
    before = {name: getattr(agency, name) for name in allowed}
    for name, value in cleaned.items():
        setattr(agency, name, value)
    with transaction.atomic():
        save_versioned(agency, expected_version=expected_version, fields=sorted(cleaned))
        record(
            actor=actor,
            verb="agency.update",
            target=agency,
            changes=changes_of(agency, before, sorted(cleaned)),
        )
    return agency


def user_create(
    *,
    actor: User | None,
    username: str,
    agency: Agency,
    roles: Iterable[str],
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Provision an account (no self sign-up). Requires ``user.manage``; the password is validated."""
    if actor is not None:
        policy.require(actor, "user.manage")
    wanted = _clean_roles(roles)
    username = username.strip()
    if not username:
        raise ValidationFailed(_("A username is required."), fields={"username": _("Required.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(
            _("This username is taken."), fields={"username": _("This username is taken.")}
        )
    candidate = User(username=username, first_name=first_name, last_name=last_name, email=email)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise ValidationFailed(
            " ".join(exc.messages), fields={"password": " ".join(exc.messages)}
        ) from None
    with transaction.atomic():
        user = User.objects.create_user(
            username=username, password=password, agency=agency, first_name=first_name,
            last_name=last_name, email=email,
        )  # fmt: skip
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=user, role=role) for role in sorted(wanted)
        )
        record(
            actor=actor, actor_label="system", verb="user.create", target=user,
            changes={"roles": [None, sorted(wanted)], "agency": [None, agency.pk]},
        )  # fmt: skip
    return user


def _end_sessions(user: User) -> None:
    """Bump the epoch (checked by SessionLifetimeMiddleware) and delete stored sessions."""
    User.objects.filter(pk=user.pk).update(auth_epoch=F("auth_epoch") + 1)
    user.refresh_from_db(fields=["auth_epoch"])
    user_id = str(user.pk)
    stale = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_id
    ]
    Session.objects.filter(session_key__in=stale).delete()


def user_set_roles(*, actor: User, user: User, roles: Iterable[str]) -> User:
    """Replace a user's roles; their open sessions end at once."""
    policy.require(actor, "user.manage")
    wanted = _clean_roles(roles)
    with transaction.atomic():
        before = sorted(user.role_assignments.values_list("role", flat=True))
        user.role_assignments.exclude(role__in=wanted).delete()
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=user, role=role) for role in sorted(wanted - set(before))]
        )
        _end_sessions(user)
        record(
            actor=actor, verb="user.roles", target=user, changes={"roles": [before, sorted(wanted)]}
        )
    user.forget_roles()
    return user


def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Disable or re-enable an account; disabling ends its sessions and API use at once."""
    policy.require(actor, "user.manage")
    if user.pk == actor.pk and not active:
        raise ValidationFailed(_("You cannot disable your own account."))
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=active)
        user.is_active = active
        _end_sessions(user)
        record(actor=actor, verb="user.enable" if active else "user.disable", target=user)
    user.forget_roles()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_issue(*, actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; the plaintext is returned once and never stored.

    A user may issue their own (``token.own``); an operator's command passes ``actor=None``.
    """
    if actor is not None:
        policy.require(actor, "token.own")
        if actor.pk != user.pk:
            policy.require(actor, "user.manage")
    prefix = secrets.token_hex(6)
    plaintext = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip() or "token", prefix=prefix, digest=_digest(plaintext)
        )
        record(actor=actor or user, verb="token.issue", target=token)
    return token, plaintext


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token at once (idempotent). Its owner may; anyone else needs ``user.manage``."""
    if token.user_id != actor.pk:
        policy.require(actor, "user.manage")
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor=actor, verb="token.revoke", target=token)
    return token


def token_authenticate(plaintext: str) -> User | None:
    """The active owner of an active token, or None. Constant work for unknown prefixes."""
    # The secret part is URL-safe base64, which may itself contain "_": split twice only.
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    digest = _digest(plaintext)
    if token is None or not secrets.compare_digest(token.digest, digest):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def user_unlock(*, actor: User | None, username: str) -> int:
    """Clear the failed sign-ins that locked ``username``; returns how many were cleared.

    Requires ``user.manage``; ``actor=None`` is the operator's ``manage.py unlock``. The username
    need not exist (lockout is per typed username), and the unlock is audited either way.
    """
    from axes.models import AccessAttempt
    from axes.utils import reset

    if actor is not None:
        policy.require(actor, "user.manage")
    username = username.strip()
    if not username:
        raise ValidationFailed(_("A username is required."), fields={"username": _("Required.")})
    with transaction.atomic():
        failures = AccessAttempt.objects.filter(username=username).aggregate(
            total=Sum("failures_since_start")
        )["total"]
        reset(username=username)
        cleared = int(failures or 0)
        record(
            actor=actor,
            actor_label="system",
            verb="auth.unlock",
            target_type="accounts.user",
            target_label=f"user {username}"[:200],
            changes={"failed_sign_ins_cleared": cleared},
        )
    return cleared
