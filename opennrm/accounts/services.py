"""Writes for agencies, users, roles and API tokens. Each: keyword-only, one transaction, audited."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from importlib.util import find_spec

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import (
    Agency,
    AgencyAlias,
    ApiToken,
    BreakGlassGrant,
    GrantStatus,
    RoleAssignment,
    RoleGrant,
    SecondFactorFailure,
    TokenScope,
    User,
    alias_key,
)
from opennrm.accounts.roles import (
    APPROVAL_ROLES,
    MFA_REQUIRED_ROLES,
    PERSONAL_DATA_ROLES,
    AgencyType,
    Role,
)
from opennrm.audit.services import changes_of, record
from opennrm.core.errors import PermissionDeniedError, ValidationFailed
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


def _check_separation(roles: set[str]) -> None:
    """An administrator's account never also reads personal data (DESIGN §1)."""
    if Role.ADMIN in roles and roles & PERSONAL_DATA_ROLES:
        labels = ", ".join(str(Role(role).label) for role in sorted(roles & PERSONAL_DATA_ROLES))
        raise ValidationFailed(
            _(
                "An administrator's account cannot also hold a role that reads personal data "
                "(%(roles)s); use a separate account."
            )
            % {"roles": labels},
            fields={"roles": _("Administrator and personal-data roles cannot be combined.")},
        )


def _request_grant(
    *, actor: User, user: User, roles: Iterable[str], activates: bool = False
) -> RoleGrant:
    """Record roles awaiting a second administrator; flagged for the auditor (in the caller's
    transaction)."""
    grant = RoleGrant.objects.create(
        user=user, roles=sorted(roles), activates=activates, requested_by=actor
    )
    record(
        actor=actor,
        verb="role_grant.request",
        target=user,
        changes={"roles": [None, grant.roles], "grant": grant.pk, "activates": activates},
        flagged=True,
    )
    return grant


def agency_create(
    *,
    actor: User | None,
    name: str,
    type: str,
    name_sr: str = "",
    short_name: str = "",
    short_name_sr: str = "",
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
            name=name.strip(),
            type=type,
            name_sr=name_sr.strip(),
            short_name=short_name.strip(),
            short_name_sr=short_name_sr.strip(),
            municipality=municipality.strip(),
        )
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
    allowed = {
        "name",
        "name_sr",
        "short_name",
        "short_name_sr",
        "type",
        "municipality",
        "is_active",
    }
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
    service_account: bool = False,
) -> User:
    """Provision an account (no self sign-up). Requires ``user.manage``; the password is validated.

    Separation of duties: roles in ``APPROVAL_ROLES`` (personal data, administration, audit) wait
    for a second administrator (a pending ``RoleGrant``); an account in the identification centre
    is created disabled and without roles until that approval. ``actor=None`` (the operator's
    commands, the demo) applies the roles at once. A service account has no password, may not
    hold a role that needs approval, and acts only through API tokens.
    """
    if actor is not None:
        policy.require(actor, "user.manage")
    wanted = _clean_roles(roles)
    _check_separation(wanted)
    if service_account and wanted & APPROVAL_ROLES:
        raise ValidationFailed(
            _("A service account cannot hold a role that reads personal data or controls others."),
            fields={"roles": _("Choose roles without personal data.")},
        )
    username = username.strip()
    if not username:
        raise ValidationFailed(_("A username is required."), fields={"username": _("Required.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(
            _("This username is taken."), fields={"username": _("This username is taken.")}
        )
    candidate = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if not service_account:
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            raise ValidationFailed(
                " ".join(exc.messages), fields={"password": " ".join(exc.messages)}
            ) from None
    whole_account_waits = actor is not None and agency.type == AgencyType.IDENTIFICATION_CENTRE
    pending = set(wanted) if whole_account_waits else (wanted & APPROVAL_ROLES if actor else set())
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=None if service_account else password,
            agency=agency,
            first_name=first_name,
            last_name=last_name,
            email=email,
            is_active=not whole_account_waits,
            is_service_account=service_account,
        )
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=user, role=role) for role in sorted(wanted - pending)
        )
        record(
            actor=actor,
            actor_label="system",
            verb="user.create",
            target=user,
            changes={"roles": [None, sorted(wanted - pending)], "agency": [None, agency.pk]},
            flagged=bool(pending),
        )
        if pending:
            assert actor is not None
            _request_grant(actor=actor, user=user, roles=pending, activates=whole_account_waits)
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
    """Set a user's roles; their open sessions end at once.

    Nobody changes their own roles. Removals and roles outside ``APPROVAL_ROLES`` apply at once;
    added approval roles become a pending ``RoleGrant`` that a second administrator decides
    (``role_grant_approve``), flagged for the auditor.
    """
    policy.require(actor, "user.manage")
    if user.pk == actor.pk:
        raise PermissionDeniedError(
            _("Nobody may change their own roles; ask another administrator.")
        )
    wanted = _clean_roles(roles)
    _check_separation(wanted)
    if user.is_service_account and wanted & APPROVAL_ROLES:
        raise ValidationFailed(
            _("A service account cannot hold a role that reads personal data or controls others."),
            fields={"roles": _("Choose roles without personal data.")},
        )
    with transaction.atomic():
        before = set(user.role_assignments.values_list("role", flat=True))
        added = wanted - before
        pending = added & APPROVAL_ROLES
        now = wanted - pending
        already = {
            role
            for grant in RoleGrant.objects.filter(user=user, status=GrantStatus.PENDING)
            for role in grant.roles
        }
        user.role_assignments.exclude(role__in=now).delete()
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=user, role=role) for role in sorted(now - before)]
        )
        _end_sessions(user)
        changes: dict[str, object] = {"roles": [sorted(before), sorted(now)]}
        if pending:
            changes["awaiting_approval"] = sorted(pending)
        record(actor=actor, verb="user.roles", target=user, changes=changes, flagged=bool(pending))
        if pending - already:
            _request_grant(actor=actor, user=user, roles=pending - already)
    user.forget_roles()
    return user


def role_grant_approve(*, actor: User, grant: RoleGrant) -> RoleGrant:
    """A second administrator approves a pending grant: its roles apply (and a new account in the
    identification centre is enabled); the user's sessions end. Requires ``user.manage``; the
    administrator who asked, and the user concerned, may not approve. Flagged for the auditor."""
    policy.require(actor, "user.manage")
    with transaction.atomic():
        grant = RoleGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
        if grant.status != GrantStatus.PENDING:
            raise ValidationFailed(_("This request has already been decided."))
        if actor.pk in (grant.requested_by_id, grant.user_id):
            raise PermissionDeniedError(
                _("A second administrator must approve this request, not you.")
            )
        user = grant.user
        before = set(user.role_assignments.values_list("role", flat=True))
        after = before | set(grant.roles)
        _check_separation(after)
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=user, role=role) for role in sorted(after - before)]
        )
        if grant.activates:
            User.objects.filter(pk=user.pk).update(is_active=True)
            user.is_active = True
        _end_sessions(user)
        grant.status = GrantStatus.APPROVED
        grant.decided_by = actor
        grant.decided_at = timezone.now()
        grant.save(update_fields=["status", "decided_by", "decided_at"])
        record(
            actor=actor,
            verb="role_grant.approve",
            target=user,
            changes={"roles": [sorted(before), sorted(after)], "grant": grant.pk},
            flagged=True,
        )
    user.forget_roles()
    return grant


def role_grant_reject(*, actor: User, grant: RoleGrant) -> RoleGrant:
    """Refuse a pending grant (or withdraw one's own request). Requires ``user.manage``; the user
    concerned may not decide. Flagged for the auditor."""
    policy.require(actor, "user.manage")
    with transaction.atomic():
        grant = RoleGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
        if grant.status != GrantStatus.PENDING:
            raise ValidationFailed(_("This request has already been decided."))
        if actor.pk == grant.user_id:
            raise PermissionDeniedError(
                _("Nobody may change their own roles; ask another administrator.")
            )
        grant.status = GrantStatus.REJECTED
        grant.decided_by = actor
        grant.decided_at = timezone.now()
        grant.save(update_fields=["status", "decided_by", "decided_at"])
        record(
            actor=actor,
            verb="role_grant.reject",
            target=grant.user,
            changes={"roles": [grant.roles, None], "grant": grant.pk},
            flagged=True,
        )
    return grant


def break_glass_review(*, actor: User, grant: BreakGlassGrant) -> BreakGlassGrant:
    """The auditor marks a break-the-glass access as reviewed (``audit.view``; not one's own)."""
    policy.require(actor, "audit.view")
    if grant.user_id == actor.pk:
        raise PermissionDeniedError(_("Another person must review your own access."))
    with transaction.atomic():
        grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.reviewed_at is not None:
            return grant
        grant.reviewed_at = timezone.now()
        grant.reviewed_by = actor
        grant.save(update_fields=["reviewed_at", "reviewed_by"])
        record(
            actor=actor,
            verb="access.break_glass_review",
            target=grant,
            changes={"user": grant.user_id, "record": f"{grant.content_type_id}:{grant.object_id}"},
        )
    return grant


def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Disable or re-enable an account; disabling ends its sessions and API use at once."""
    policy.require(actor, "user.manage")
    if user.pk == actor.pk and not active:
        raise ValidationFailed(_("You cannot disable your own account."))
    if (
        active
        and RoleGrant.objects.filter(user=user, status=GrantStatus.PENDING, activates=True).exists()
    ):
        raise ValidationFailed(_("This account awaits a second administrator's approval."))
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=active)
        user.is_active = active
        _end_sessions(user)
        record(actor=actor, verb="user.enable" if active else "user.disable", target=user)
    user.forget_roles()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def api_areas() -> list[str]:
    """The API's sections a token may be limited to: the apps mounted under /api/v1/<label>/."""
    return [
        app.rsplit(".", 1)[1]
        for app in settings.OPENNRM_APPS
        if find_spec(f"{app}.api") is not None
    ]


def token_issue(
    *,
    actor: User | None,
    user: User,
    name: str,
    scope: str = TokenScope.READ,
    areas: Iterable[str] | None = None,
    hours: int | None = None,
    mfa_verified: bool = False,
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; the plaintext is returned once and never stored.

    A user issues their own (``token.own``); only a service account gets tokens issued by an
    administrator (``user.manage``); an operator's command passes ``actor=None``. A person whose
    role requires two-factor authentication issues tokens only from a session verified with it
    (``mfa_verified``), never with another token. The token is limited to ``scope`` and ``areas``
    (None: every area) and lasts ``hours`` (default ``OPENNRM_TOKEN_HOURS``; at most ``OPENNRM_TOKEN_MAX_HOURS``, or
    ``OPENNRM_SERVICE_TOKEN_MAX_DAYS`` for a service account).
    """
    if actor is not None:
        policy.require(actor, "token.own")
        if actor.pk != user.pk:
            policy.require(actor, "user.manage")
            if not user.is_service_account:
                raise PermissionDeniedError(
                    _("Only a service account's tokens are issued by an administrator.")
                )
        if actor.roles & MFA_REQUIRED_ROLES and not mfa_verified:
            raise PermissionDeniedError(
                _("Issue API tokens from a session signed in with two-factor authentication.")
            )
    if scope not in TokenScope.values:
        raise ValidationFailed(_("Unknown scope."), fields={"scope": _("Choose read or write.")})
    chosen = sorted(set(api_areas() if areas is None else areas))
    unknown = sorted(set(chosen) - set(api_areas()))
    if not chosen or unknown:
        raise ValidationFailed(
            _("Choose at least one API area from the list."),
            fields={"areas": _("Choose areas from the list.")},
        )
    if hours is None:
        hours = int(settings.OPENNRM_TOKEN_HOURS)
    limit = (
        int(settings.OPENNRM_SERVICE_TOKEN_MAX_DAYS) * 24
        if user.is_service_account
        else int(settings.OPENNRM_TOKEN_MAX_HOURS)
    )
    if not 1 <= hours <= limit:
        message = _("A token lasts between 1 and %(limit)s hours.") % {"limit": limit}
        raise ValidationFailed(message, fields={"hours": message})
    name = name.strip()
    if not name:
        raise ValidationFailed(_("Name the token."), fields={"name": _("Required.")})
    prefix = secrets.token_hex(6)
    plaintext = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=prefix,
            digest=_digest(plaintext),
            scope=scope,
            areas=chosen,
            expires_at=timezone.now() + timedelta(hours=hours),
            auth_epoch=user.auth_epoch,
            issued_by=actor,
        )
        record(
            actor=actor or user,
            verb="token.issue",
            target=token,
            changes={"scope": scope, "areas": chosen, "hours": hours, "user": user.pk},
        )
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


def token_authenticate(plaintext: str) -> ApiToken | None:
    """The token, if it is known, unrevoked, unexpired, its owner active and the owner's access
    unchanged since issue (``auth_epoch``), and — a person's token — used within the idle timeout
    (``OPENNRM_TOKEN_IDLE_MINUTES``); else None. Constant work for unknown prefixes."""
    # The secret part is URL-safe base64, which may itself contain "_": split twice only.
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=parts[1], revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    digest = _digest(plaintext)
    if token is None or not secrets.compare_digest(token.digest, digest):
        return None
    if not token.user.is_active or token.auth_epoch != token.user.auth_epoch:
        return None
    if not token.user.is_service_account:
        # A person's token ends when left unused, like a signed-in session that is left idle.
        idle = now - (token.last_used_at or token.created_at)
        if idle > timedelta(minutes=settings.OPENNRM_TOKEN_IDLE_MINUTES):
            return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def second_factor_failed(*, user: User, ip_address: str, kind: str, reason: str) -> int:
    """Count one refused two-factor code for ``user`` from ``ip_address`` and audit it; returns the
    user's failures in the window. Reaching the limit is audited as a lockout, flagged."""
    with transaction.atomic():
        since = timezone.now() - settings.AXES_COOLOFF_TIME
        # Failures older than the window no longer count anywhere: the table stays small.
        SecondFactorFailure.objects.filter(at__lte=since).delete()
        SecondFactorFailure.objects.create(user=user, ip_address=ip_address[:64], kind=kind)
        failures = SecondFactorFailure.objects.filter(user=user, at__gt=since).count()
        locked = failures == int(settings.OPENNRM_MFA_MAX_ATTEMPTS)
        record(
            actor=user,
            verb="auth.mfa_lockout" if locked else "auth.mfa_failed",
            target=user,
            changes={"kind": kind, "reason": reason, "failures": failures},
            flagged=locked,
        )
    return failures


def second_factor_succeeded(*, user: User) -> None:
    """A right code ends the user's run of failures (the address keeps its count)."""
    SecondFactorFailure.objects.filter(user=user).delete()


def user_unlock(*, actor: User | None, username: str) -> int:
    """Clear the failed sign-ins (passwords and two-factor codes) that locked ``username``;
    returns how many were cleared.

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
        second, _deleted = SecondFactorFailure.objects.filter(
            user__username__iexact=username
        ).delete()
        cleared = int(failures or 0) + second
        record(
            actor=actor,
            actor_label="system",
            verb="auth.unlock",
            target_type="accounts.user",
            target_label=f"user {username}"[:200],
            changes={"failed_sign_ins_cleared": cleared},
        )
    return cleared


def agency_alias_add(
    *, actor: User, text: str, agency: Agency | None = None, agency_type: str = ""
) -> AgencyAlias:
    """Teach imports a name people write for ``agency`` or for a kind of agency
    (``agency_type``); exactly one of the two. Requires ``agency.manage``. Refused when the same
    text (folded: script, case, spaces and punctuation aside) already means something.
    """
    policy.require(actor, "agency.manage")
    key = alias_key(text)
    if not key:
        raise ValidationFailed(
            _("Write the alias as it appears in files."), fields={"text": _("This is required.")}
        )
    if (agency is None) == (not agency_type):
        raise ValidationFailed(
            _("Choose either an agency or a type of agency, not both."),
            fields={"agency": _("Choose an agency or a type of agency.")},
        )
    if agency_type and agency_type not in AgencyType.values:
        raise ValidationFailed(
            _("Unknown agency type."), fields={"agency_type": _("Choose a type from the list.")}
        )
    existing = AgencyAlias.objects.filter(key=key).first()
    if existing is not None:
        raise ValidationFailed(
            _("The alias “%(text)s” is already defined (as “%(existing)s”).")
            % {"text": text.strip(), "existing": existing.text},
            fields={"text": _("This alias is already defined.")},
        )
    with transaction.atomic():
        alias = AgencyAlias.objects.create(
            text=text.strip(), key=key, agency=agency, agency_type=agency_type
        )
        record(
            actor=actor,
            verb="agency.alias_add",
            target=alias,
            changes={"agency": [None, agency.name if agency else agency_type]},
        )
    return alias


def agency_alias_remove(*, actor: User, alias: AgencyAlias) -> None:
    """Forget an alias; files naming it must then be mapped by hand. Requires ``agency.manage``."""
    policy.require(actor, "agency.manage")
    with transaction.atomic():
        record(actor=actor, verb="agency.alias_remove", target=alias)
        alias.delete()
