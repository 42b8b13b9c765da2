from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.models import Agency
from opennrm.accounts.roles import AgencyType
from opennrm.cases.vocab import TypeOfExploitation
from opennrm.core.fields import LONG_TEXT, NAME_LENGTH, SHORT_TEXT
from opennrm.core.forms import DateInput, VersionedForm
from opennrm.justice import vocab
from opennrm.justice.models import Offence


def _offence_choices() -> list[tuple[str, str]]:
    language = get_language() or "en"
    return [
        (o.code, f"{o.article_label} — {o.title(language)}")
        for o in Offence.objects.filter(is_active=True)
    ]


class ProceedingForm(forms.Form):
    prosecutor_office = forms.ModelChoiceField(
        label=_("Prosecutor's office"),
        queryset=Agency.objects.filter(type=AgencyType.PROSECUTION, is_active=True),
    )
    court = forms.ModelChoiceField(
        label=_("Court"),
        queryset=Agency.objects.filter(type=AgencyType.COURT, is_active=True),
        required=False,
    )
    police_agency = forms.ModelChoiceField(
        label=_("Investigating police"),
        queryset=Agency.objects.filter(type=AgencyType.POLICE, is_active=True),
        required=False,
    )
    file_number = forms.CharField(label=_("File number"), max_length=60, required=False)
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[c for c in vocab.Stage.choices if c[0] in ("pre_investigation", "investigation")],
        initial=vocab.Stage.INVESTIGATION,
    )
    started_on = forms.DateField(
        label=_("Started on"), widget=DateInput(), initial=timezone.localdate
    )
    ex_officio = forms.BooleanField(
        label=_("Started ex officio (without a victim's complaint)"), required=False, initial=True
    )
    forms_of_exploitation = forms.MultipleChoiceField(
        label=_("Forms of exploitation"),
        choices=TypeOfExploitation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class MoveForm(VersionedForm):
    stage = forms.ChoiceField(label=_("Next stage"), choices=vocab.Stage.choices)
    on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(
        max_length=SHORT_TEXT,
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, next_stages: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stage_field = self.fields["stage"]
        assert isinstance(stage_field, forms.ChoiceField)
        stage_field.choices = [c for c in vocab.Stage.choices if c[0] in next_stages]


class CloseForm(VersionedForm):
    status = forms.ChoiceField(
        label=_("Closed as"),
        choices=[
            (vocab.ProceedingStatus.DISMISSED, vocab.ProceedingStatus.DISMISSED.label),
            (vocab.ProceedingStatus.DISCONTINUED, vocab.ProceedingStatus.DISCONTINUED.label),
        ],
    )
    on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.CharField(
        max_length=SHORT_TEXT, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3})
    )


class DefendantForm(forms.Form):
    sex = forms.ChoiceField(label=_("Sex"), choices=vocab.Sex.choices)
    year_of_birth = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900)
    citizenship = forms.CharField(
        max_length=200, label=_("Citizenship (ISO codes, comma-separated)"), required=False
    )
    offences = forms.MultipleChoiceField(
        label=_("Offences charged"), choices=(), widget=forms.CheckboxSelectMultiple
    )
    full_name = forms.CharField(
        max_length=NAME_LENGTH,
        label=_("Name (optional, stored encrypted)"),
        required=False,
        help_text=_(
            "Leave empty unless the file needs it; the defendant is otherwise known by code."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offences = self.fields["offences"]
        assert isinstance(offences, forms.MultipleChoiceField)
        offences.choices = _offence_choices()

    def clean_citizenship(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data["citizenship"].split(",") if c.strip()]


class OutcomeForm(VersionedForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[c for c in vocab.Outcome.choices if c[0] != "pending"]
    )
    on = forms.DateField(label=_("Judgment date"), widget=DateInput(), initial=timezone.localdate)
    prison_months = forms.IntegerField(label=_("Prison (months)"), required=False, min_value=1)
    suspended = forms.BooleanField(label=_("Suspended sentence"), required=False)
    fine_eur = forms.DecimalField(label=_("Fine (EUR)"), required=False, min_value=0)
    assets_confiscated_eur = forms.DecimalField(
        label=_("Assets confiscated (EUR)"), required=False, min_value=0
    )
    appeal_result = forms.CharField(max_length=200, label=_("Appeal result"), required=False)


class RequalifyForm(forms.Form):
    offence = forms.ChoiceField(label=_("New qualification"), choices=())
    on = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offence = self.fields["offence"]
        assert isinstance(offence, forms.ChoiceField)
        offence.choices = _offence_choices()


class VictimLinkForm(forms.Form):
    case_code = forms.CharField(
        label=_("Case code"), max_length=24, help_text=_("For example RS-2020-00042/1.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=vocab.VictimRole.choices)


class VictimForm(VersionedForm):
    role = forms.ChoiceField(label=_("Role"), choices=vocab.VictimRole.choices)
    protective_measures = forms.MultipleChoiceField(
        label=_("Protective measures (Art. 28)"),
        choices=vocab.ProtectiveMeasure.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    legal_aid = forms.BooleanField(label=_("Free legal aid granted"), required=False)
    compensation_claimed_eur = forms.DecimalField(
        label=_("Compensation claimed (EUR)"), min_value=0, initial=0
    )
    compensation_awarded_eur = forms.DecimalField(
        label=_("Compensation awarded (EUR)"), min_value=0, initial=0
    )
    compensation_paid_eur = forms.DecimalField(
        label=_("Compensation paid (EUR)"), min_value=0, initial=0
    )
    compensation_source = forms.ChoiceField(
        label=_("Paid by"), choices=[("", "—"), *vocab.CompensationSource.choices], required=False
    )
    prosecuted_for_offence = forms.BooleanField(
        label=_("Prosecuted or punished for an offence they were compelled to commit"),
        required=False,
    )
    compelled_offence = forms.CharField(max_length=200, label=_("That offence"), required=False)
    non_punishment_applied = forms.NullBooleanField(
        label=_("Non-punishment principle applied (Art. 26)"),
        widget=forms.Select(choices=[("unknown", "—"), ("true", _("Yes")), ("false", _("No"))]),
        required=False,
    )


class HearingForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Date and time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=vocab.HearingKind.choices)
    notes = forms.CharField(
        max_length=LONG_TEXT,
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
