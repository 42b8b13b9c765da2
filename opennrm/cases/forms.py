"""Forms of the NRM core: thin input adapters; every rule lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.models import Agency, User
from opennrm.accounts.roles import AgencyType
from opennrm.cases import vocab
from opennrm.cases.models import DeclineCategory
from opennrm.core.fields import LONG_TEXT, SHORT_TEXT
from opennrm.core.forms import DateInput, StyledForm, VersionedForm


def codes(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def country_codes(value: str) -> str:
    """Countries as people write them (codes or names in English, Serbian Cyrillic or Latin:
    "Srbija, Ukrajina") as the codes the services take ("RS, UA"); unknown ones are refused."""
    from opennrm.core.countries import COUNTRIES

    found: list[str] = []
    for part in codes(value):
        code = COUNTRIES.match(part)
        if code is None:
            raise forms.ValidationError(
                _("“%(value)s” is not a country this form knows; write its name or code, e.g. RS.")
                % {"value": part}
            )
        if code not in found:
            found.append(code)
    return ", ".join(found)


def language_codes(value: str) -> str:
    """Languages as people write them (names in English, Serbian Cyrillic or Latin, or ISO 639
    codes: "српски, Ukrainian, en") as the codes the services take ("sr, uk, en")."""
    from opennrm.core.countries import LANGUAGES

    found: list[str] = []
    for part in codes(value):
        code = LANGUAGES.match(part)
        if code is None:
            raise forms.ValidationError(
                _("“%(value)s” is not a language this form knows; write its name, e.g. Serbian.")
                % {"value": part}
            )
        if code not in found:
            found.append(code)
    return ", ".join(found)


def country_names(codes_: list[str]) -> str:
    """Stored country codes as the names a form shows back (the field reads names again)."""
    from opennrm.core.countries import COUNTRIES

    return ", ".join(COUNTRIES.label(code) for code in codes_)


def language_names(codes_: list[str]) -> str:
    """Stored language codes as the names a form shows back."""
    from opennrm.core.countries import LANGUAGES

    return ", ".join(LANGUAGES.label(code) for code in codes_)


def _country_choices() -> list[tuple[str, str]]:
    """Every country by name in the active language (a code is stored, never shown)."""
    from opennrm.core.countries import COUNTRIES

    return [("", "—"), *COUNTRIES.choices()]


class _CountriesField(forms.CharField):
    def clean(self, value: Any) -> str:
        return country_codes(super().clean(value))


class _LanguagesField(forms.CharField):
    def clean(self, value: Any) -> str:
        return language_codes(super().clean(value))


class ReferralForm(StyledForm):
    given_names = forms.CharField(label=_("Given names"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    year_of_birth = forms.IntegerField(
        label=_("Year of birth (if the date is unknown)"), required=False
    )
    gender = forms.ChoiceField(
        label=_("Sex/gender"), choices=vocab.Gender.choices, initial=vocab.Gender.UNKNOWN
    )
    citizenship = _CountriesField(
        max_length=200,
        label=_("Citizenship"),
        required=False,
        help_text=_("Countries separated by commas, e.g. Serbia, Ukraine."),
    )
    languages = _LanguagesField(
        max_length=200,
        label=_("Languages"),
        required=False,
        help_text=_("Languages separated by commas, e.g. Serbian, Ukrainian."),
    )
    contacts = forms.CharField(
        max_length=SHORT_TEXT,
        label=_("Contacts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        max_length=LONG_TEXT,
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
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    year_of_birth = forms.IntegerField(
        label=_("Year of birth (if the date is unknown)"), required=False
    )
    gender = forms.ChoiceField(label=_("Sex/gender"), choices=vocab.Gender.choices)
    citizenship = _CountriesField(
        max_length=200,
        label=_("Citizenship"),
        required=False,
        help_text=_("Countries separated by commas, e.g. Serbia, Ukraine."),
    )
    languages = _LanguagesField(
        max_length=200,
        label=_("Languages"),
        required=False,
        help_text=_("Languages separated by commas, e.g. Serbian, Ukrainian."),
    )
    contacts = forms.CharField(
        max_length=SHORT_TEXT,
        label=_("Contacts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    identity_document = forms.CharField(
        label=_("Identity document"),
        required=False,
        max_length=200,
        help_text=_("Type and number, e.g. passport 012345678."),
    )


class ReasonForm(VersionedForm):
    reason = forms.CharField(
        max_length=SHORT_TEXT, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )


class DeclineForm(ReasonForm):
    category = forms.ChoiceField(
        label=_("Reason category (the referring agency sees only this)"),
        choices=DeclineCategory.choices,
    )
    reason = forms.CharField(
        max_length=SHORT_TEXT,
        label=_("Reason (kept at the centre)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


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
        max_length=SHORT_TEXT,
        label=_("Why do you need this record?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        min_length=10,
    )


class PresumeForm(VersionedForm):
    presumed_on = forms.DateField(
        label=_("Reasonable grounds to believe the person is a victim since"),
        widget=DateInput(),
        initial=timezone.localdate,
    )
    reflection_end = forms.DateField(
        label=_("End of the recovery and reflection period"),
        required=False,
        widget=DateInput(),
        help_text=_("At least 30 days after the date above; 30 days if left empty."),
    )


class DecisionForm(VersionedForm):
    decided_on = forms.DateField(
        label=_("Date of decision"), widget=DateInput(), initial=timezone.localdate
    )
    decision_org = forms.ChoiceField(
        label=_("Decision-making organisation"),
        choices=vocab.DecisionMakingOrg.choices,
        initial=vocab.DecisionMakingOrg.NON_POLICE_GOVERNMENT,
    )
    reasoning = forms.CharField(
        max_length=LONG_TEXT,
        label=_("Reasoning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CloseForm(VersionedForm):
    reason = forms.ChoiceField(
        label=_("Reason for closure"),
        choices=[("", "—"), *vocab.ClosureReason.choices],
        required=False,
    )
    details = forms.CharField(
        max_length=LONG_TEXT,
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReopenForm(VersionedForm):
    reason = forms.CharField(
        max_length=SHORT_TEXT,
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
    country_of_exploitation = forms.ChoiceField(
        label=_("Country of exploitation"), choices=_country_choices, required=False
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
        max_length=LONG_TEXT,
        label=_("Details for the provider"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ServiceStepForm(VersionedForm):
    reason = forms.CharField(max_length=SHORT_TEXT, label=_("Reason for declining"), required=False)


class GuardianForm(StyledForm):
    full_name = forms.CharField(label=_("Guardian's full name"), max_length=200)
    relationship = forms.CharField(label=_("Relationship or role"), max_length=100, required=False)
    appointed_by = forms.CharField(label=_("Appointed by"), max_length=200, required=False)
    appointed_on = forms.DateField(
        label=_("Appointed on"), widget=DateInput(), initial=timezone.localdate
    )
    contacts = forms.CharField(
        max_length=SHORT_TEXT,
        label=_("Contacts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConsentForm(StyledForm):
    scope = forms.ChoiceField(label=_("The person consents to"), choices=vocab.ConsentScope.choices)


class NoteForm(StyledForm):
    body = forms.CharField(
        max_length=LONG_TEXT, label=_("Note"), widget=forms.Textarea(attrs={"rows": 3})
    )
    sensitivity = forms.TypedChoiceField(
        label=_("Who may read it"),
        choices=vocab.NoteSensitivity.choices,
        coerce=int,
        initial=vocab.NoteSensitivity.CASE_TEAM,
    )


class PlanForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    objectives = forms.CharField(
        max_length=LONG_TEXT,
        label=_("Objectives"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    actions = forms.CharField(
        max_length=LONG_TEXT,
        label=_("Action plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    planned_end_on = forms.DateField(label=_("Planned end"), required=False, widget=DateInput())
    actual_end_on = forms.DateField(label=_("Actual end"), required=False, widget=DateInput())


class PermitForm(StyledForm):
    permit_type = forms.ChoiceField(label=_("Type"), choices=vocab.PermitType.choices)
    status = forms.ChoiceField(label=_("Status"), choices=vocab.PermitStatus.choices)
    applied_on = forms.DateField(
        label=_("Applied on"), widget=DateInput(), initial=timezone.localdate
    )
    granted_on = forms.DateField(label=_("Granted on"), required=False, widget=DateInput())
    refused_on = forms.DateField(label=_("Refused on"), required=False, widget=DateInput())
    renewed_on = forms.DateField(label=_("Renewed on"), required=False, widget=DateInput())
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DateInput())


class ShelterStayForm(StyledForm):
    shelter = forms.ModelChoiceField(
        label=_("Shelter"),
        queryset=Agency.objects.filter(is_active=True, type=AgencyType.SHELTER).order_by("name"),
    )
    admitted_on = forms.DateField(
        label=_("Admitted on"), widget=DateInput(), initial=timezone.localdate
    )


class ShelterEndForm(VersionedForm):
    left_on = forms.DateField(label=_("Left on"), widget=DateInput(), initial=timezone.localdate)
    exit_reason = forms.ChoiceField(
        label=_("Reason for leaving"), choices=vocab.ShelterExitReason.choices
    )


class StatusLookupForm(StyledForm):
    code = forms.CharField(label=_("Case code"), max_length=24)


class CaseFilterForm(StyledForm):
    q = forms.CharField(max_length=200, label=_("Code or name"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *vocab.CaseStatus.choices], required=False
    )
    agency = forms.ModelChoiceField(
        label=_("Lead agency"),
        queryset=Agency.objects.filter(type=AgencyType.IDENTIFICATION_CENTRE).order_by("name"),
        required=False,
        empty_label=_("Any"),
    )
