"""Forms of the screening pages (thin: the rules are in services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.core.forms import DateInput
from opennrm.screening.models import Exploitation, IndicatorCatalogue


class StartForm(forms.Form):
    exploitation = forms.MultipleChoiceField(
        label=_("Screen for"),
        choices=Exploitation.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Exploitation.LABOUR],
        help_text=_("Choose both when the person may be exploited in both ways."),
    )
    age = forms.IntegerField(
        label=_("Age in years, if known"),
        min_value=0,
        max_value=120,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control"}),
        help_text=_("The age is used only to choose the list; it is not stored."),
    )
    believed_child = forms.BooleanField(
        label=_("The age is uncertain and there are reasons to believe the person is a child"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    age_reasons = forms.CharField(
        label=_("Reasons to believe the person is a child"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    screened_on = forms.DateField(
        label=_("Date of the screening"),
        widget=DateInput(),
    )
    place = forms.CharField(
        label=_("Place (municipality)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["screened_on"].initial = timezone.localdate()
        # The sexual-exploitation lists ship unverified: say so where the list is chosen.
        latest: dict[str, bool] = {}
        for name, verified in IndicatorCatalogue.objects.order_by(
            "list_name", "-version"
        ).values_list("list_name", "verified"):
            latest.setdefault(name, verified)
        unverified = {name for name, verified in latest.items() if not verified}
        choices: list[tuple[str, str]] = []
        for value, label in Exploitation.choices:
            text = str(label)
            if {f"adult_{value}", f"child_{value}"} & unverified:
                text = _("%(label)s (unverified list)") % {"label": text}
            choices.append((value, text))
        field = self.fields["exploitation"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = choices


class StatsFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"),
        widget=DateInput(),
    )
    date_to = forms.DateField(
        label=_("To"),
        widget=DateInput(),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start of the period must be before its end."))
        return data
