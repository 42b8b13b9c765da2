"""Forms of transnational referral: only the shape of the input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.core.forms import DateInput
from opennrm.transnational.models import Purpose, ReferralStatus, RiskLevel


def _country_choices() -> list[tuple[str, str]]:
    """Every country by name in the active language; its ISO 3166 code is what is stored."""
    from opennrm.core.countries import COUNTRIES

    return [("", "—"), *COUNTRIES.choices()]


class PartnerForm(forms.Form):
    country = forms.ChoiceField(label=_("Partner country"), choices=_country_choices)
    name = forms.CharField(label=_("Name of the partner platform"), max_length=200)
    endpoint = forms.URLField(label=_("Inbox address"), max_length=300)
    sign_public = forms.CharField(label=_("Signing key (base64)"), max_length=64)
    box_public = forms.CharField(label=_("Encryption key (base64)"), max_length=64)
    fingerprint = forms.CharField(
        label=_("Fingerprint, as the partner's administrator reads it to you"), max_length=60
    )


class RotateForm(forms.Form):
    sign_public = forms.CharField(label=_("New signing key (base64)"), max_length=64)
    box_public = forms.CharField(label=_("New encryption key (base64)"), max_length=64)
    fingerprint = forms.CharField(label=_("Fingerprint read aloud"), max_length=60)


class SendForm(forms.Form):
    partner = forms.TypedChoiceField(label=_("Partner platform"), coerce=int)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    data_fields = forms.MultipleChoiceField(
        label=_("Data to send"), widget=forms.CheckboxSelectMultiple, required=False
    )
    reason = forms.CharField(
        label=_("Message to the partner (optional; sent as written)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        required=False,
    )
    best_interests = forms.BooleanField(
        label=_("The child's best interests have been assessed"), required=False
    )

    def __init__(
        self,
        *args: Any,
        partners: list[tuple[int, str]],
        proposal: list[tuple[str, Any]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        partner = self.fields["partner"]
        assert isinstance(partner, forms.TypedChoiceField)
        partner.choices = partners
        data_fields = self.fields["data_fields"]
        assert isinstance(data_fields, forms.MultipleChoiceField)
        data_fields.choices = proposal


class DeclineForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason, for the partner"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("What happened"),
        choices=[
            (s.value, s.label)
            for s in (
                ReferralStatus.SERVICES_STARTED,
                ReferralStatus.RECEPTION_CONFIRMED,
                ReferralStatus.CASE_CLOSED,
            )
        ],
    )
    note = forms.CharField(label=_("Note for the partner"), max_length=2000, required=False)


class ReturnPlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    risk_assessment = forms.CharField(
        label=_("Pre-return risk assessment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    risk_level = forms.ChoiceField(label=_("Risk"), choices=RiskLevel.choices)
    travel_documents = forms.CharField(label=_("Travel documents"), max_length=1000, required=False)
    travel_on = forms.DateField(label=_("Travel date"), required=False, widget=DateInput())


class ReturnDoneForm(forms.Form):
    returned_on = forms.DateField(
        label=_("Returned on"), widget=DateInput(), initial=timezone.localdate
    )
    follow_up_on = forms.DateField(label=_("Follow-up after return on"), widget=DateInput())


class FollowUpForm(forms.Form):
    notes = forms.CharField(
        label=_("What the follow-up found"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
