from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EntryFilterForm(forms.Form):
    username = forms.CharField(label=_("User"), required=False)
    agency = forms.CharField(label=_("Agency"), required=False)
    verb = forms.CharField(label=_("Action"), required=False)
    target_type = forms.CharField(label=_("Record type"), required=False)
    target_id = forms.CharField(label=_("Record id"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    flagged_only = forms.BooleanField(
        label=_("Flagged only (break the glass, lockouts)"), required=False
    )
