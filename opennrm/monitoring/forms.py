"""Forms: thin adapters whose cleaned data go to the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.accounts import policy
from opennrm.accounts.models import Agency, User
from opennrm.core.errors import DomainError
from opennrm.core.fields import DOCUMENT_TEXT, LONG_TEXT
from opennrm.core.forms import DateInput, ImportForm
from opennrm.monitoring.models import (
    RecommendationStatus,
    ReportFormat,
    ReportLanguage,
    Theme,
)


def apply_error(form: forms.Form, error: DomainError) -> None:
    """Show a domain error on the form: per field where it names one, else above the form."""
    shown = False
    for name, message in error.fields.items():
        if name in form.fields:
            form.add_error(name, message)
            shown = True
    if not shown:
        form.add_error(None, error.message)


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "form-control", "rows": rows})


class RecommendationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *RecommendationStatus.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    theme = forms.ChoiceField(
        label=_("Theme"),
        required=False,
        choices=[("", _("All themes")), *Theme.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class RecommendationStatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=RecommendationStatus.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    evidence = forms.CharField(
        max_length=LONG_TEXT, label=_("Evidence"), required=False, widget=_text(4)
    )


class RecommendationImportForm(ImportForm):
    file_label = _("CSV or XLSX file")
    file_help = _(
        "Columns: round, report, paragraph, text, strength, theme, responsible (agency short "
        "names separated by semicolons), status, evidence, note."
    )


class ReportForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=300, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    period_start = forms.DateField(label=_("From"), widget=DateInput())
    period_end = forms.DateField(label=_("To"), widget=DateInput())
    summary = forms.CharField(
        max_length=LONG_TEXT, label=_("Summary"), required=False, widget=_text(5)
    )
    challenges = forms.CharField(
        max_length=LONG_TEXT, label=_("Challenges and mitigation"), required=False, widget=_text(4)
    )
    next_steps = forms.CharField(
        max_length=LONG_TEXT, label=_("Next steps"), required=False, widget=_text(4)
    )


class NarrativeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(
        label=_("Title"), max_length=300, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    summary = forms.CharField(
        max_length=LONG_TEXT, label=_("Summary"), required=False, widget=_text(5)
    )
    challenges = forms.CharField(
        max_length=LONG_TEXT, label=_("Challenges and mitigation"), required=False, widget=_text(4)
    )
    next_steps = forms.CharField(
        max_length=LONG_TEXT, label=_("Next steps"), required=False, widget=_text(4)
    )


class GenerateForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ReportFormat.choices,
        initial=ReportFormat.PDF,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=ReportLanguage.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class IndicatorValueForm(forms.Form):
    measured_on = forms.DateField(
        label=_("Measured on"), widget=DateInput(), initial=timezone.localdate
    )
    value = forms.DecimalField(
        label=_("Value"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
    )
    source = forms.CharField(
        label=_("Source"), max_length=300, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    evidence = forms.FileField(
        label=_("Evidence file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )


class FollowUpDoneForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(
        label=_("Place"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    title = forms.CharField(
        label=_("Title"), max_length=300, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    participant_agencies = forms.ModelMultipleChoiceField(
        label=_("Participating institutions"),
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    participants = forms.CharField(
        max_length=LONG_TEXT, label=_("Participants (people)"), required=False, widget=_text(3)
    )
    agenda = forms.CharField(
        max_length=LONG_TEXT, label=_("Agenda"), required=False, widget=_text(4)
    )
    minutes = forms.CharField(
        max_length=DOCUMENT_TEXT, label=_("Minutes"), required=False, widget=_text(6)
    )


class DecisionForm(forms.Form):
    text = forms.CharField(max_length=LONG_TEXT, label=_("Decision"), widget=_text(3))


class FollowUpForm(forms.Form):
    text = forms.CharField(max_length=LONG_TEXT, label=_("Follow-up action"), widget=_text(3))
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    due_on = forms.DateField(label=_("Due date"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only people who can see monitoring records can own a follow-up (the service checks).
        owners = [
            u.pk for u in User.objects.filter(is_active=True) if policy.can(u, "monitoring.view")
        ]
        self.fields["owner"].queryset = User.objects.filter(pk__in=owners)  # type: ignore[attr-defined]
