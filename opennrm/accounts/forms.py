from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.core import context
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.models import Agency, TokenScope, api_area_name
from opennrm.accounts.roles import AgencyType, Role


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.filter(is_active=True)
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    password = forms.CharField(
        max_length=1_000,
        label=_("Initial password"),
        widget=forms.PasswordInput,
        strip=False,
        required=False,
        help_text=_(
            "At least 12 characters. The user signs in with it and then sets up two-factor authentication."
        ),
    )
    service_account = forms.BooleanField(
        label=_("Service account"),
        required=False,
        help_text=_(
            "A machine client: no password and no sign-in, API tokens only, no role that reads personal data."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("service_account") and not data.get("password"):
            self.add_error("password", _("A person's account needs an initial password."))
        return data


class UserRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )


class AgencyForm(forms.Form):
    name = forms.CharField(label=_("Name (English)"), max_length=200)
    name_sr = forms.CharField(label=_("Name (Serbian Cyrillic)"), max_length=200, required=False)
    short_name = forms.CharField(label=_("Short name (English)"), max_length=40, required=False)
    short_name_sr = forms.CharField(
        label=_("Short name (Serbian Cyrillic)"), max_length=40, required=False
    )
    type = forms.ChoiceField(label=_("Type"), choices=AgencyType.choices)
    municipality = forms.CharField(label=_("Municipality"), max_length=100, required=False)


class AgencyEditForm(AgencyForm):
    is_active = forms.BooleanField(label=pgettext_lazy("agency", "Active"), required=False)
    # The version the editor read; a save by someone else in between is refused.
    version = forms.IntegerField(widget=forms.HiddenInput)


def _area_choices() -> list[tuple[str, str]]:
    from opennrm.accounts.services import api_areas

    return [(area, api_area_name(area)) for area in api_areas()]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    scope = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices, initial="read")
    areas = forms.MultipleChoiceField(
        label=_("API areas"), choices=_area_choices, widget=forms.CheckboxSelectMultiple
    )
    hours = forms.IntegerField(
        label=_("Valid for (hours)"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for the default lifetime."),
    )


def _limited(form: Any, check: Callable[[], str]) -> str:
    """Run allauth's code check under the two-factor limiter (per user and per address).

    allauth's own limiter reuses the login-failure rate limit, which the settings switch off
    because django-axes owns password lockout; this one keeps its counts in the database, so every
    worker process sees them, and audits every refused code.
    """
    from opennrm.accounts import selectors, services

    request = context.request
    ip_address = str(get_client_ip_address(request) or "")
    code = str(form.cleaned_data.get("code", "")).strip()
    kind = "totp" if len(code) == mfa_settings.TOTP_DIGITS else "recovery_code"
    state = selectors.second_factor_state(user=form.user, ip_address=ip_address)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if state.locked:
        raise forms.ValidationError(
            gettext(
                "Too many wrong codes: two-factor sign-in is paused for %(minutes)s minutes. "
                "An administrator can lift the pause."
            )
            % {"minutes": minutes}
        )
    if state.wait_seconds > 0:
        # A code sent before the wait is over counts as a failure: a script firing codes as fast
        # as it can reaches the lockout instead of waiting its turn.
        services.second_factor_failed(
            user=form.user, ip_address=ip_address, kind=kind, reason="too_soon"
        )
        raise forms.ValidationError(
            ngettext(
                "Too many wrong codes. Wait %(seconds)s second before the next try.",
                "Too many wrong codes. Wait %(seconds)s seconds before the next try.",
                state.wait_seconds,
            )
            % {"seconds": state.wait_seconds}
        )
    try:
        value = check()
    except forms.ValidationError:
        services.second_factor_failed(
            user=form.user, ip_address=ip_address, kind=kind, reason="wrong_code"
        )
        if kind == "totp" and _is_current_totp(form.user, code):
            # Right code, but already used for a sign-in: allauth refuses a replay within the
            # code's validity window and says only "Incorrect code".
            raise forms.ValidationError(
                gettext(
                    "This code has already been used. Wait for the next code in your "
                    "authenticator app (a new one every %(seconds)s seconds) and type that."
                )
                % {"seconds": mfa_settings.TOTP_PERIOD}
            ) from None
        raise
    services.second_factor_succeeded(user=form.user)
    return value


def _is_current_totp(user: Any, code: str) -> bool:
    """Whether ``code`` is the user's authenticator's code for now (used or not)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import validate_totp_code
    from allauth.mfa.utils import decrypt

    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return totp is not None and validate_totp_code(decrypt(totp.data["secret"]), code)


class LimitedAuthenticateForm(AuthenticateForm):  # type: ignore[misc]
    """The two-factor step of sign-in, limited per user and per address."""

    def clean_code(self) -> str:
        return _limited(self, super().clean_code)


class LimitedReauthenticateForm(ReauthenticateForm):  # type: ignore[misc]
    """Re-authentication by code (before sensitive account changes), limited the same way."""

    def clean_code(self) -> str:
        return _limited(self, super().clean_code)


def apply_domain_error(form: forms.Form, exc: Any) -> None:
    """Show a DomainError inline: field messages on their fields, the message on top."""
    for name, message in exc.fields.items():
        form.add_error(name if name in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, exc.message)


class AgencyAliasForm(forms.Form):
    text = forms.CharField(label=_("Alias as written in files"), max_length=200)
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.order_by("name"), required=False
    )
    agency_type = forms.ChoiceField(
        label=_("Or a type of agency"),
        choices=[("", "—"), *AgencyType.choices],
        required=False,
    )
