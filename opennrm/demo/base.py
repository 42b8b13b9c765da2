"""Agencies and personas for the demo and the tests, through the accounts services (idempotent)."""

from __future__ import annotations

import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt

from opennrm.accounts import services
from opennrm.accounts.models import Agency, User
from opennrm.demo.personas import AGENCIES, DEMO_PASSWORD, PERSONAS


def ensure_agencies() -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}
    for spec in AGENCIES:
        agency = Agency.objects.filter(name=spec.name).first()
        if agency is None:
            agency = services.agency_create(
                actor=None,
                name=spec.name,
                type=spec.type,
                name_sr=spec.name_sr,
                short_name=spec.short_name,
                short_name_sr=spec.short_name_sr,
                municipality=spec.municipality,
            )
        agencies[spec.key] = agency
    return agencies


def ensure_personas(agencies: dict[str, Agency], *, with_mfa: bool = True) -> dict[str, User]:
    users: dict[str, User] = {}
    for persona in PERSONAS:
        user = User.objects.filter(username=persona.username).first()
        if user is None:
            user = services.user_create(
                actor=None,
                username=persona.username,
                agency=agencies[persona.agency],
                roles=persona.roles,
                password=DEMO_PASSWORD,
                first_name=persona.first_name,
                last_name=persona.last_name,
            )
        if with_mfa:
            ensure_totp(user)
        users[persona.username] = user
    return users


def ensure_totp(user: User) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
        RecoveryCodes.activate(user)


def totp_secret(user: User) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return str(decrypt(authenticator.data["secret"]))


def totp_code(user: User, at: float | None = None) -> str:
    """The code an authenticator app would show now (demo and tests only)."""
    counter = int((time.time() if at is None else at) // app_settings.TOTP_PERIOD)
    return str(format_hotp_value(hotp_value(totp_secret(user), counter)))
