from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opennrm.core.forms import DateInput


class EntryFilterForm(forms.Form):
    username = forms.CharField(max_length=200, label=_("User"), required=False)
    agency = forms.CharField(max_length=200, label=_("Agency"), required=False)
    verb = forms.CharField(max_length=200, label=_("Action"), required=False)
    target_type = forms.CharField(max_length=200, label=_("Record type"), required=False)
    target_id = forms.CharField(max_length=200, label=_("Record id"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    flagged_only = forms.BooleanField(
        label=_("Flagged only (break the glass, lockouts)"), required=False
    )
