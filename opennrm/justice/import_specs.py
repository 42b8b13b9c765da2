"""The prosecutors' register import as a spec of the import pipeline (``opennrm.imports``).

The columns have names people read (in English and Serbian, both scripts), stage, sex, outcome
and ex officio are vocabularies the value-mapping screen offers, and errors name the column by
its label. Validation and writing are ``justice.imports.import_register``'s (``imports.legacy``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.core.errors import PermissionDeniedError
from opennrm.imports.legacy import LegacySpec, Outcome
from opennrm.imports.spec import Choices, Column, register
from opennrm.justice import imports, vocab

STAGES = Choices(name="justice.stage", labels=list(vocab.Stage.choices))
SEXES = Choices(
    name="justice.sex",
    labels=list(vocab.Sex.choices),
    synonyms={"F": "female", "Ž": "female", "Ж": "female", "M": "male", "М": "male"},
)
OUTCOMES = Choices(name="justice.outcome", labels=list(vocab.Outcome.choices))
YES_NO = Choices(
    name="justice.yes_no",
    labels=[("yes", _("yes")), ("no", _("no"))],
    synonyms={
        "da": "yes",
        "да": "yes",
        "ne": "no",
        "не": "no",
        "1": "yes",
        "0": "no",
        "true": "yes",
        "false": "no",
    },
)

COLUMNS = (
    Column(
        "file_number",
        _("File number"),
        True,
        ("Број предмета", "Broj predmeta", "Предмет", "Predmet", "Case number"),
        example="KT 5/19",
    ),
    Column(
        "prosecutor_office",
        _("Prosecutor's office"),
        True,
        ("Тужилаштво", "Tužilaštvo", "Јавно тужилаштво", "Javno tužilaštvo", "Prosecution"),
        example="VJT BG",
    ),
    Column("court", _("Court"), False, ("Суд", "Sud"), example="VS BG"),
    Column("police", _("Police"), False, ("Полиција", "Policija"), example="MUP BG"),
    Column(
        "started_on",
        _("Started on"),
        True,
        ("Датум покретања", "Datum pokretanja", "Почетак", "Početak", "Start date"),
        example="2020-02-03",
    ),
    Column(
        "stage",
        _("Stage"),
        True,
        ("Фаза", "Faza", "Стадијум", "Stadijum"),
        vocabulary=STAGES,
        example="indictment",
    ),
    Column(
        "stage_since",
        _("Stage since"),
        False,
        ("Фаза од", "Faza od", "У фази од", "U fazi od"),
        example="2020-06-10",
    ),
    Column(
        "ex_officio",
        _("Ex officio"),
        False,
        ("По службеној дужности", "Po službenoj dužnosti"),
        vocabulary=YES_NO,
        example="yes",
    ),
    Column(
        "forms_of_exploitation",
        _("Forms of exploitation"),
        False,
        ("Облици експлоатације", "Oblici eksploatacije"),
        example="ForcedLabour",
    ),
    Column(
        "defendant_sex",
        _("Defendant's sex"),
        True,
        ("Пол окривљеног", "Pol okrivljenog", "Пол", "Pol"),
        vocabulary=SEXES,
        example="male",
    ),
    Column(
        "defendant_year_of_birth",
        _("Defendant's year of birth"),
        False,
        (
            "Година рођења окривљеног",
            "Godina rođenja okrivljenog",
            "Година рођења",
            "Godina rođenja",
        ),
        example="1980",
    ),
    Column(
        "defendant_citizenship",
        _("Defendant's citizenship"),
        False,
        ("Држављанство окривљеног", "Državljanstvo okrivljenog", "Држављанство", "Državljanstvo"),
        example="RS",
    ),
    Column("offence", _("Offence"), True, ("Кривично дело", "Krivično delo"), example="CC-388"),
    Column(
        "outcome", _("Outcome"), False, ("Исход", "Ishod"), vocabulary=OUTCOMES, example="pending"
    ),
    Column("outcome_on", _("Outcome date"), False, ("Датум исхода", "Datum ishoda"), example=""),
    Column(
        "prison_months",
        _("Prison (months)"),
        False,
        ("Затвор (месеци)", "Zatvor (meseci)"),
        example="",
    ),
    Column(
        "victim_case_code",
        _("Victim's case code"),
        False,
        ("Шифра случаја жртве", "Šifra slučaja žrtve"),
        example="",
    ),
)


@register
class RegisterSpec(LegacySpec):
    key = "justice.register"
    title = _("Proceedings register")
    permission = "proceeding.edit"

    def columns(self) -> Sequence[Column]:
        return COLUMNS

    def run(self, data: bytes, *, actor: User) -> Outcome:
        policy.require(actor, "proceeding.edit")
        if not policy.can(actor, "proceeding.export"):
            raise PermissionDeniedError(_("You do not have permission to do this."))
        result = imports.import_register(actor=actor, source=data, filename="register.csv")
        return Outcome(
            created=result.created,
            skipped=result.skipped,
            figures={"defendants": result.defendants},
            details=[(str(_("Defendants")), result.defendants)],
        )
