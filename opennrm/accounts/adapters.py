"""django-allauth adapter: accounts are provisioned by administrators, never self-registered."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest

from opennrm.core import crypto


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    """TOTP secrets and recovery-code seeds are encrypted at rest like victims' data."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text, context="mfa.authenticator")

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text, context="mfa.authenticator")
