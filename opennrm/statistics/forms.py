"""Forms of the statistics pages: the period and profile of a release, and an HTCDS export."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.core.forms import DateInput
from opennrm.statistics.disclosure import Profile

MAX_YEARS = 50

PROFILE_LABELS = {
    Profile.PUBLIC: _("Public (below 10 withheld, rounded to 5)"),
    Profile.RESTRICTED: _("Restricted (below 5 withheld)"),
    Profile.OFFICIAL: _("Official (exact figures, audited)"),
}


class ReleaseForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    profile = forms.ChoiceField(label=_("Release profile"), required=False)

    def __init__(
        self, *args: Any, profiles: list[Profile], default: Profile | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        profile = self.fields["profile"]
        assert isinstance(profile, forms.ChoiceField)
        profile.choices = [(p.value, PROFILE_LABELS[p]) for p in profiles]
        profile.initial = default.value if default else None
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = css

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        start = data.get("date_from") or date(today.year, 1, 1)
        end = data.get("date_to") or date(start.year, 12, 31)
        if end < start:
            self.add_error("date_to", _("Choose a date on or after the start date."))
        elif end.year - start.year >= MAX_YEARS:
            self.add_error("date_from", _("Choose a shorter period."))
        data["date_from"], data["date_to"] = start, end
        return data


class HtcdsExportForm(forms.Form):
    recipient = forms.CharField(
        label=_("Recipient organisation"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    purpose = forms.CharField(
        label=_("Purpose of the disclosure"),
        max_length=500,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
