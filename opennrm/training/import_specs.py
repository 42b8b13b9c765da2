"""The completion-report import as a spec of the import pipeline (``opennrm.imports``).

A report belongs to a cohort (the spec's ``target``): one row per learner, matched by e-mail,
and one column per module of the cohort's course holding the date the module was completed.
Besides plain spreadsheets (Serbian, Cyrillic or Latin, and English headers), the downloads of
Moodle — the platform of the HELP courses — are read as Moodle writes them:

- the *activity completion* report (``report/progress``): an empty header cell over the full
  name, "Email address" and other identity fields, then two columns per activity — its name,
  holding "Completed" / "Not completed" / "Completed (achieved pass grade)", and a second one
  (headed by the activity's expected completion date, or nothing) holding the date and time of
  completion, "YYYY-MM-DD HH:MM:SS";
- the *course completion* report (``report/completion``): "ID", "Name", identity fields, then
  per activity its status and "<activity> - Completion date", and "Course complete";

each as CSV, as Moodle's "Excel" CSV (UTF-16 with a byte-order mark, tab-separated; decoded by
``core.tabular``) and as XLSX. :meth:`CompletionSpec.reshape` turns the status/date pairs into one
column per activity holding the completion date (empty when not completed), so the column
mapping screen shows one column per activity, matched to modules by title or number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.core.errors import NotFoundError
from opennrm.core.tabular import RowErrors
from opennrm.imports.spec import (
    Choices,
    Column,
    ImportSpec,
    Preview,
    Progress,
    Result,
    Rows,
    match_key,
    register,
)
from opennrm.training import selectors, services
from opennrm.training.importing import match_columns, normalise
from opennrm.training.models import Cohort, Profession, Sex

MODULE_PREFIX = "module:"

PROFESSIONS = Choices(name="training.profession", labels=list(Profession.choices))
SEXES = Choices(
    name="training.sex",
    labels=list(Sex.choices),
    synonyms={
        "F": "female",
        "Ž": "female",
        "Ж": "female",
        "Žensko": "female",
        "Женско": "female",
        "Ženski": "female",
        "Женски": "female",
        "Žena": "female",
        "Жена": "female",
        "M": "male",
        "М": "male",
        "Muško": "male",
        "Мушко": "male",
        "Muški": "male",
        "Мушки": "male",
        "Muškarac": "male",
        "Мушкарац": "male",
    },
)

# Moodle's words for the state of an activity (English, Serbian Latin and Cyrillic language
# packs); all but "Not completed" mean the activity was completed.
_NOT_DONE = {"notcompleted", "nijezavršeno", "нијезавршено", "nijezavrseno", "incomplete"}
_DONE = {
    "completed",
    "completedachievedpassgrade",
    "completeddidnotachievepassgrade",
    "završeno",
    "zavrseno",
    "завршено",
    "završenopostignutaprolaznaocena",
    "завршенопостигнутапролазнаоцена",
}
_SAMPLE = 200


def _state(text: str) -> bool | None:
    key = match_key(text)
    if key in _DONE:
        return True
    if key in _NOT_DONE:
        return False
    return None


IDENTITY = (
    Column(
        key="full_name",
        label=_("Full name"),
        aliases=(
            "Name",
            "Ime i prezime",
            "Име и презиме",
            "Puno ime",
            "Пуно име",
            "Polaznik",
            "Полазник",
            "Korisnik",
            "Корисник",
            "Učesnik",
            "Учесник",
        ),
        help=_("First and last name in one column; the last word is taken as the last name."),
        example="Mila Perić",
    ),
    Column(
        key="first_name",
        label=_("First name"),
        aliases=("Име", "Ime", "firstname", "first_name", "Given name"),
        example="Mila",
    ),
    Column(
        key="last_name",
        label=_("Last name"),
        aliases=("Презиме", "Prezime", "surname", "lastname", "last_name", "Family name"),
        example="Perić",
    ),
    Column(
        key="email",
        label=_("E-mail"),
        required=True,
        aliases=(
            "Е-пошта",
            "E-pošta",
            "E-posta",
            "Email address",
            "E-mail address",
            "email",
            "e_mail",
            "Адреса е-поште",
            "Adresa e-pošte",
            "Имејл",
            "Imejl",
            "Mejl",
        ),
        example="mila.peric@example.org",
    ),
    Column(
        key="profession",
        label=_("Profession"),
        aliases=("Професија", "Profesija", "Занимање", "Zanimanje"),
        vocabulary=PROFESSIONS,
        example="law_student",
    ),
    Column(
        key="sex",
        label=_("Sex"),
        aliases=("Пол", "Pol", "gender"),
        vocabulary=SEXES,
        example="female",
    ),
)


@register
class CompletionSpec(ImportSpec):
    key = "training.completions"
    title = _("Training completion report")
    permission = "training.edit"
    target_label = _("Cohort")

    def __init__(self, *, target: str = "") -> None:
        super().__init__(target=target)
        self._cohort: Cohort | None = None

    def cohort(self) -> Cohort:
        if self._cohort is None:
            cohort = Cohort.objects.select_related("course").filter(code=self.target).first()
            if cohort is None:
                raise NotFoundError(_("There is no such cohort."))
            self._cohort = cohort
        return self._cohort

    def targets(self, *, actor: User) -> list[tuple[str, str]]:
        return [
            (cohort.code, f"{cohort.title} ({cohort.code})")
            for cohort in selectors.cohort_list(actor=actor).order_by("-start")
        ]

    def _modules(self) -> list[tuple[int, str, str]]:
        if not self.target:
            return []
        return list(self.cohort().course.modules.values_list("position", "code", "title"))

    def columns(self) -> Sequence[Column]:
        modules = [
            Column(
                key=f"{MODULE_PREFIX}{code}",
                label=title or code,
                aliases=(code, f"Module {position}", f"Modul {position}", f"Модул {position}"),
                help=_("The date the module was completed; empty when it was not."),
                example="2020-04-20",
            )
            for position, code, title in self._modules()
        ]
        return [*IDENTITY, *modules]

    def suggest(self, header: Sequence[str], suggested: list[str]) -> list[str]:
        """Columns no name matched are matched to modules as the course's reports name them:
        by the module's code, its title inside the header, or "Module N"."""
        taken = {key for key in suggested if key}
        free = [normalise(cell) for cell, key in zip(header, suggested, strict=True) if not key]
        found = match_columns(
            free,
            [m for m in self._modules() if f"{MODULE_PREFIX}{m[1]}" not in taken],
            {},
        )
        return [
            key or (MODULE_PREFIX + found[normalise(cell)] if normalise(cell) in found else "")
            for cell, key in zip(header, suggested, strict=True)
        ]

    def reshape(
        self, header: list[str], rows: Iterable[tuple[int, list[str]]]
    ) -> tuple[list[str], Iterable[tuple[int, list[str]]]]:
        """Moodle's status/date column pairs become one date column per activity."""
        data = list(rows)
        sample = data[:_SAMPLE]
        width = max([len(header), *(len(cells) for _n, cells in sample)], default=0)

        def states(index: int) -> list[bool | None]:
            return [
                _state(cells[index])
                for _n, cells in sample
                if index < len(cells) and cells[index].strip()
            ]

        status_columns = [
            index
            for index in range(width)
            if (found := states(index)) and all(state is not None for state in found)
        ]
        if not status_columns:
            return header, data
        dates = {index + 1 for index in status_columns if index + 1 not in status_columns}
        keep = [index for index in range(width) if index not in dates]
        is_status = set(status_columns)
        new_header = []
        for index in keep:
            name = header[index] if index < len(header) else ""
            if index == 0 and not name.strip():
                name = str(IDENTITY[0].label)  # Moodle leaves the full name's header empty
            new_header.append(name)

        def value(cells: list[str], index: int) -> str:
            text = cells[index].strip() if index < len(cells) else ""
            if index not in is_status:
                return text
            if not _state(text):
                return ""
            when = cells[index + 1].strip() if index + 1 < len(cells) else ""
            return when or text  # completed with no date: the spec reports it

        return new_header, [(n, [value(cells, i) for i in keep]) for n, cells in data]

    def _check(self, rows: Rows) -> tuple[Cohort, list[dict[str, Any]], RowErrors]:
        cohort = self.cohort()
        columns = self.columns()
        column_modules = {
            c.key: c.key.removeprefix(MODULE_PREFIX)
            for c in columns
            if c.key.startswith(MODULE_PREFIX)
        }
        labels = {c.key: str(c.label) for c in columns}
        parsed, errors = services.completion_check(
            cohort=cohort,
            rows=rows,
            column_modules=column_modules,
            labels=labels,
        )
        return cohort, parsed, errors

    def preview(self, rows: Rows, *, actor: User) -> Preview:
        policy.require(actor, self.permission)
        cohort, parsed, errors = self._check(rows)
        done = services.completion_already_done(cohort)
        preview = Preview(rows=len(parsed), errors=errors.errors)
        titles = {code: title for _p, code, title in self._modules()}
        for entry in parsed:
            fresh = [c for c in entry["completions"] if (entry["email"], c) not in done]
            preview.create += len(fresh)
            preview.skip += len(entry["completions"]) - len(fresh)
        newcomers = sum(1 for entry in parsed if "trainee" not in entry)
        if newcomers:
            preview.warnings.append(
                str(_("%(count)d learners are not registered yet and will be registered."))
                % {"count": newcomers}
            )
        preview.sample_columns = [
            str(_("Row")),
            str(_("First name")),
            str(_("Last name")),
            str(_("E-mail")),
            str(_("Modules completed")),
        ]
        for entry in parsed[:10]:
            trainee = entry.get("trainee")
            preview.sample.append(
                [
                    str(entry["row"]),
                    trainee.first_name if trainee else entry["first_name"],
                    trainee.last_name if trainee else entry["last_name"],
                    entry["email"],
                    "; ".join(
                        f"{titles.get(code, code)}: {day.isoformat()}"
                        for code, day in sorted(entry["completions"].items())
                    ),
                ]
            )
        return preview

    def commit(self, rows: Rows, *, actor: User, progress: Progress) -> Result:
        policy.require(actor, self.permission)
        cohort, parsed, errors = self._check(rows)
        errors.raise_if_any()
        outcome = services.completion_write(
            actor=actor, cohort=cohort, parsed=parsed, filename=cohort.code, progress=progress
        )
        return Result(
            rows=outcome.rows,
            created=outcome.completions_added,
            skipped=sum(len(e["completions"]) for e in parsed) - outcome.completions_added,
            details=[
                (str(_("Learners registered")), outcome.learners_created),
                (str(_("Learners enrolled")), outcome.enrolled),
                (str(_("Module completions added")), outcome.completions_added),
                (str(_("Learners who have completed the course")), outcome.completed_course),
            ],
            figures=dict(vars(outcome)),
        )
