"""The form pieces every app shares: the date widget, Bootstrap styling, the version a save
expects, the upload of a CSV or XLSX file, and the one template of a form field. Apps subclass
these; none keeps a copy."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

from opennrm.core.tabular import too_large

ISO_DATE = "%Y-%m-%d"


class FormRenderer(DjangoTemplates):
    """Django's form renderer with our field template (label, widget, help and errors, Bootstrap
    classes): ``{{ field.as_field_group }}`` renders ``core/field.html`` on every page
    (settings.FORM_RENDERER); ``core_form_fields.html`` renders a whole form with it."""

    field_template_name = "core/field.html"


class DateInput(forms.DateInput):
    """The browser's date picker: it reads and writes ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "form-control", **(attrs or {})}, format=ISO_DATE)


def style(form: forms.Form) -> None:
    """Bootstrap's classes on every widget that has none yet."""
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
        style(self)


class VersionedForm(StyledForm):
    """Carries the version the user saw, so a stale save is refused rather than merged."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ImportForm(forms.Form):
    """One CSV or XLSX file to import; a subclass names what the file holds (``file_label``,
    ``file_help``)."""

    file_label: Any = _("File (CSV or XLSX)")
    file_help: Any = _("At most 50 MB.")
    extensions: tuple[str, ...] = (".csv", ".xlsx")

    file = forms.FileField(widget=forms.ClearableFileInput(attrs={"class": "form-control"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["file"]
        field.label, field.help_text = self.file_label, self.file_help
        field.widget.attrs["accept"] = ",".join(self.extensions)

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(self.extensions):
            raise forms.ValidationError(_("Only CSV and XLSX files can be imported."))
        if message := too_large(upload.size or 0):
            raise forms.ValidationError(message)
        return upload
