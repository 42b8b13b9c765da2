from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.models import Agency
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
        label=_("Initial password"), widget=forms.PasswordInput, strip=False,
        help_text=_("At least 12 characters. The user signs in with it and then sets up two-factor authentication."),
    )  # fmt: skip


class UserRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )


class AgencyForm(forms.Form):
    name = forms.CharField(label=_("Name (English)"), max_length=200)
    name_sr = forms.CharField(label=_("Name (Serbian Cyrillic)"), max_length=200, required=False)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=AgencyType.choices)
    municipality = forms.CharField(label=_("Municipality"), max_length=100, required=False)


class AgencyEditForm(AgencyForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)
    # The version the editor read; a save by someone else in between is refused.
    version = forms.IntegerField(widget=forms.HiddenInput)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)


def apply_domain_error(form: forms.Form, exc: Any) -> None:
    """Show a DomainError inline: field messages on their fields, the message on top."""
    for name, message in exc.fields.items():
        form.add_error(name if name in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, exc.message)
