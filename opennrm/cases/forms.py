"""Forms of the NRM core: thin input adapters; every rule lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.models import Agency, User
from opennrm.accounts.roles import AgencyType
from opennrm.cases import vocab

_DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class VersionedForm(StyledForm):
    """Carries the version the user saw, so a stale save is refused rather than merged."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def codes(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


class ReferralForm(StyledForm):
    given_names = forms.CharField(label=_("Given names"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=_DATE)
    year_of_birth = forms.IntegerField(
        label=_("Year of birth (if the date is unknown)"), required=False
    )
    gender = forms.ChoiceField(
        label=_("Sex/gender"), choices=vocab.Gender.choices, initial=vocab.Gender.UNKNOWN
    )
    citizenship = forms.CharField(
        label=_("Citizenship"),
        required=False,
        help_text=_("Two-letter country codes separated by commas, e.g. RS, UA."),
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        help_text=_("Language codes separated by commas, e.g. sr, uk, en."),
    )
    contacts = forms.CharField(
        label=_("Contacts"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label=_("Reason for referral"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you observed. The identification centre reads this."),
    )
    is_child = forms.BooleanField(
        label=_("The person is or may be a child (under 18)"),
        required=False,
        help_text=_("A possible child is treated as a child: no consent is needed."),
    )
    consent_given = forms.BooleanField(
        label=_("The person agreed to be referred to the identification centre"),
        required=False,
    )
    consent_scope = forms.MultipleChoiceField(
        label=_("The person also agreed to"),
        required=False,
        choices=[c for c in vocab.ConsentScope.choices if c[0] != vocab.ConsentScope.REFERRAL],
        widget=forms.CheckboxSelectMultiple,
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["citizenship"] = codes(data["citizenship"])
        data["languages"] = codes(data["languages"])
        return data


class PersonForm(VersionedForm):
    given_names = forms.CharField(label=_("Given names"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=_DATE)
    year_of_birth = forms.IntegerField(
        label=_("Year of birth (if the date is unknown)"), required=False
    )
    gender = forms.ChoiceField(label=_("Sex/gender"), choices=vocab.Gender.choices)
    citizenship = forms.CharField(
        label=_("Citizenship"),
        required=False,
        help_text=_("Two-letter country codes separated by commas, e.g. RS, UA."),
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        help_text=_("Language codes separated by commas, e.g. sr, uk, en."),
    )
    contacts = forms.CharField(
        label=_("Contacts"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    identity_document = forms.CharField(
        label=_("Identity document"),
        required=False,
        max_length=200,
        help_text=_("Type and number, e.g. passport 012345678."),
    )


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AcceptForm(VersionedForm):
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PurposeForm(StyledForm):
    purpose = forms.CharField(
        label=_("Purpose of access"),
        max_length=300,
        help_text=_("For example: supervision of the caseworker, a request from the person."),
    )


class BreakGlassForm(StyledForm):
    reason = forms.CharField(
        label=_("Why do you need this record?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        min_length=10,
    )


class PresumeForm(VersionedForm):
    presumed_on = forms.DateField(
        label=_("Reasonable grounds to believe the person is a victim since"), widget=_DATE
    )
    reflection_end = forms.DateField(
        label=_("End of the recovery and reflection period"),
        required=False,
        widget=_DATE,
        help_text=_("At least 30 days after the date above; 30 days if left empty."),
    )


class DecisionForm(VersionedForm):
    decided_on = forms.DateField(label=_("Date of decision"), widget=_DATE)
    decision_org = forms.ChoiceField(
        label=_("Decision-making organisation"),
        choices=vocab.DecisionMakingOrg.choices,
        initial=vocab.DecisionMakingOrg.NON_POLICE_GOVERNMENT,
    )
    reasoning = forms.CharField(
        label=_("Reasoning"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class CloseForm(VersionedForm):
    reason = forms.ChoiceField(
        label=_("Reason for closure"),
        choices=[("", "—"), *vocab.ClosureReason.choices],
        required=False,
    )
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why is the case reopened?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CaseFactsForm(VersionedForm):
    caseworker = forms.ModelChoiceField(
        label=_("Caseworker"), queryset=User.objects.none(), required=False
    )
    is_child = forms.BooleanField(label=_("Child"), required=False)
    forms_of_exploitation = forms.MultipleChoiceField(
        label=_("Forms of exploitation"),
        choices=vocab.TypeOfExploitation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    country_of_exploitation = forms.CharField(
        label=_("Country of exploitation"),
        max_length=2,
        required=False,
        help_text=_("Two-letter country code, e.g. RS."),
    )
    municipality_of_exploitation = forms.CharField(
        label=_("Municipality of exploitation"), max_length=100, required=False
    )
    trafficking_scope = forms.ChoiceField(
        label=_("Internal or transnational"), choices=vocab.TraffickingScope.choices
    )
    recruitment_method = forms.ChoiceField(
        label=_("Method of recruitment"),
        choices=[("", "—"), *vocab.MethodOfRecruitment.choices],
        required=False,
    )
    means_of_control = forms.MultipleChoiceField(
        label=_("Means of control"),
        choices=vocab.MethodOfControl.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    risk_level = forms.ChoiceField(
        label=_("Risk level"), choices=[("", "—"), *vocab.RiskLevel.choices], required=False
    )

    def __init__(self, *args: Any, lead_agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["caseworker"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(agency=lead_agency, is_active=True).order_by(
            "last_name"
        )


PROVIDER_TYPES = (
    AgencyType.SHELTER,
    AgencyType.CSO,
    AgencyType.HEALTH,
    AgencyType.SOCIAL_WELFARE_CENTRE,
    AgencyType.EDUCATION,
    AgencyType.INTERNATIONAL_ORGANISATION,
    AgencyType.MINISTRY,
)


class ServiceRequestForm(StyledForm):
    service_type = forms.ChoiceField(label=_("Service"), choices=vocab.ServiceType.choices)
    provider_agency = forms.ModelChoiceField(
        label=_("Provider"),
        queryset=Agency.objects.filter(is_active=True, type__in=PROVIDER_TYPES).order_by("name"),
    )
    details = forms.CharField(
        label=_("Details for the provider"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ServiceStepForm(VersionedForm):
    reason = forms.CharField(label=_("Reason for declining"), required=False)


class GuardianForm(StyledForm):
    full_name = forms.CharField(label=_("Guardian's full name"), max_length=200)
    relationship = forms.CharField(label=_("Relationship or role"), max_length=100, required=False)
    appointed_by = forms.CharField(label=_("Appointed by"), max_length=200, required=False)
    appointed_on = forms.DateField(label=_("Appointed on"), widget=_DATE)
    contacts = forms.CharField(
        label=_("Contacts"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConsentForm(StyledForm):
    scope = forms.ChoiceField(label=_("The person consents to"), choices=vocab.ConsentScope.choices)


class NoteForm(StyledForm):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    sensitivity = forms.TypedChoiceField(
        label=_("Who may read it"),
        choices=vocab.NoteSensitivity.choices,
        coerce=int,
        initial=vocab.NoteSensitivity.CASE_TEAM,
    )


class PlanForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    objectives = forms.CharField(
        label=_("Objectives"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    actions = forms.CharField(
        label=_("Action plan"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    planned_end_on = forms.DateField(label=_("Planned end"), required=False, widget=_DATE)
    actual_end_on = forms.DateField(label=_("Actual end"), required=False, widget=_DATE)


class PermitForm(StyledForm):
    permit_type = forms.ChoiceField(label=_("Type"), choices=vocab.PermitType.choices)
    status = forms.ChoiceField(label=_("Status"), choices=vocab.PermitStatus.choices)
    applied_on = forms.DateField(label=_("Applied on"), widget=_DATE)
    granted_on = forms.DateField(label=_("Granted on"), required=False, widget=_DATE)
    refused_on = forms.DateField(label=_("Refused on"), required=False, widget=_DATE)
    renewed_on = forms.DateField(label=_("Renewed on"), required=False, widget=_DATE)
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=_DATE)


class ShelterStayForm(StyledForm):
    shelter = forms.ModelChoiceField(
        label=_("Shelter"),
        queryset=Agency.objects.filter(is_active=True, type=AgencyType.SHELTER).order_by("name"),
    )
    admitted_on = forms.DateField(label=_("Admitted on"), widget=_DATE)


class ShelterEndForm(VersionedForm):
    left_on = forms.DateField(label=_("Left on"), widget=_DATE)
    exit_reason = forms.ChoiceField(
        label=_("Reason for leaving"), choices=vocab.ShelterExitReason.choices
    )


class StatusLookupForm(StyledForm):
    code = forms.CharField(label=_("Case code"), max_length=24)


class CaseFilterForm(StyledForm):
    q = forms.CharField(label=_("Code or name"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *vocab.CaseStatus.choices], required=False
    )
    agency = forms.ModelChoiceField(
        label=_("Lead agency"),
        queryset=Agency.objects.filter(type=AgencyType.IDENTIFICATION_CENTRE).order_by("name"),
        required=False,
        empty_label=_("Any"),
    )
