"""Forms of the training pages; they only collect input, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opennrm.core.forms import DateInput
from opennrm.training.models import Language


class CohortForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    start = forms.DateField(label=_("Start"), widget=DateInput())
    end = forms.DateField(label=_("End"), widget=DateInput())
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Language.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
