"""Import of an existing proceedings register (CSV or XLSX): one row per defendant.

Columns (header names are matched loosely): ``file_number`` (rows with the same file number and
prosecutor's office form one proceeding), ``prosecutor_office``, ``court``, ``police`` (agency short
names or full names), ``started_on``, ``stage``, ``stage_since`` (when the current stage began),
``ex_officio`` (yes/no), ``forms_of_exploitation`` (HTCDS values separated by ``;``),
``defendant_sex``, ``defendant_year_of_birth``, ``defendant_citizenship``, ``offence`` (an offence
code such as CC-388), ``outcome``, ``outcome_on``, ``prison_months``, ``victim_case_code``.

Every row is validated before anything is written; one problem anywhere and nothing is imported.
A proceeding already in the system (same file number and prosecutor's office) is skipped, so the
same file can be imported twice. A register gives only the current stage and since when: the
intermediate stages are recorded on that date, which the proceeding's timeline states.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import IO

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import Agency, User
from opennrm.accounts.roles import AgencyType
from opennrm.audit.services import record
from opennrm.cases.models import Case
from opennrm.cases.vocab import TypeOfExploitation
from opennrm.core.errors import DomainError
from opennrm.core.tabular import RowError, RowErrors, TabularError, parse_date, read_rows
from opennrm.justice import services, stages, vocab
from opennrm.justice.models import Offence, Proceeding

COLUMNS = [
    "file_number",
    "prosecutor_office",
    "court",
    "police",
    "started_on",
    "stage",
    "stage_since",
    "ex_officio",
    "forms_of_exploitation",
    "defendant_sex",
    "defendant_year_of_birth",
    "defendant_citizenship",
    "offence",
    "outcome",
    "outcome_on",
    "prison_months",
    "victim_case_code",
]
REQUIRED = ["file_number", "prosecutor_office", "started_on", "stage", "defendant_sex", "offence"]


@dataclass
class _Row:
    number: int
    defendant_sex: str
    year_of_birth: int | None
    citizenship: list[str]
    offence: str
    outcome: str
    outcome_on: date | None
    prison_months: int | None
    victim_case_code: str


@dataclass
class _Planned:
    file_number: str
    prosecutor: Agency
    court: Agency | None
    police: Agency | None
    started_on: date
    stage: str
    stage_since: date
    ex_officio: bool
    forms: list[str]
    rows: list[_Row] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    created: int
    skipped: int
    defendants: int


def _agency(name: str, kind: str) -> Agency | None:
    return Agency.objects.filter(
        Q(short_name__iexact=name) | Q(name__iexact=name), type=kind
    ).first()


def import_register(*, actor: User, source: IO[bytes] | bytes, filename: str) -> ImportResult:
    """Validate the whole register, then create its proceedings in one transaction (``proceeding.export``
    and ``proceeding.edit``). Raises TabularError naming every bad row and column."""
    policy.require(actor, "proceeding.export")
    policy.require(actor, "proceeding.edit")
    _header, rows = read_rows(source, filename=filename, columns=COLUMNS, required=REQUIRED)
    errors = RowErrors()
    planned: dict[tuple[str, int], _Planned] = {}
    offences = set(Offence.objects.filter(is_active=True).values_list("code", flat=True))
    for number, row in rows:

        def bad(column: str, message: str, number: int = number) -> None:
            errors.add(number, column, message)

        prosecutor = _agency(row["prosecutor_office"], AgencyType.PROSECUTION)
        if prosecutor is None:
            bad(
                "prosecutor_office",
                _("No prosecutor's office is called “%(name)s”.")
                % {"name": row["prosecutor_office"]},
            )
        court = _agency(row.get("court", ""), AgencyType.COURT) if row.get("court") else None
        if row.get("court") and court is None:
            bad("court", _("No court is called “%(name)s”.") % {"name": row["court"]})
        police = _agency(row.get("police", ""), AgencyType.POLICE) if row.get("police") else None
        if row.get("police") and police is None:
            bad("police", _("No police agency is called “%(name)s”.") % {"name": row["police"]})
        dates: dict[str, date | None] = {}
        for column in ("started_on", "stage_since", "outcome_on"):
            dates[column] = None
            if row.get(column):
                try:
                    dates[column] = parse_date(row[column])
                except ValueError as exc:
                    bad(column, str(exc))
        stage = row["stage"].strip().lower().replace("-", "_").replace(" ", "_")
        if stage not in stages.ORDER:
            bad(
                "stage",
                _("Unknown stage “%(value)s”; use one of: %(allowed)s.")
                % {"value": row["stage"], "allowed": ", ".join(stages.ORDER)},
            )
        sex = row["defendant_sex"].strip().lower()
        if sex not in vocab.Sex.values:
            bad("defendant_sex", _("Use female, male or unknown."))
        if row["offence"].strip().upper() not in offences:
            bad("offence", _("Unknown offence “%(code)s”.") % {"code": row["offence"]})
        outcome = (row.get("outcome") or "pending").strip().lower()
        if outcome not in vocab.Outcome.values:
            bad("outcome", _("Use pending, convicted, acquitted or dismissed."))
        numbers: dict[str, int | None] = {}
        for column in ("defendant_year_of_birth", "prison_months"):
            numbers[column] = None
            if row.get(column):
                try:
                    numbers[column] = int(row[column])
                except ValueError:
                    bad(column, _("“%(value)s” is not a whole number.") % {"value": row[column]})
        if outcome == vocab.Outcome.CONVICTED and not numbers.get("prison_months"):
            bad("prison_months", _("A conviction needs the sentence in months."))
        case_code = (row.get("victim_case_code") or "").strip().upper()
        if case_code and not Case.objects.filter(code=case_code).exists():
            bad("victim_case_code", _("No case has the code “%(code)s”.") % {"code": case_code})
        forms = [
            f.strip() for f in (row.get("forms_of_exploitation") or "").split(";") if f.strip()
        ]
        unknown_forms = [f for f in forms if f not in TypeOfExploitation.values]
        if unknown_forms:
            bad(
                "forms_of_exploitation",
                _("Unknown form of exploitation: %(values)s.")
                % {"values": ", ".join(unknown_forms)},
            )
        if prosecutor is None or dates.get("started_on") is None or stage not in stages.ORDER:
            continue
        started_on = dates["started_on"]
        assert started_on is not None
        key = (row["file_number"].strip(), prosecutor.pk)
        plan = planned.get(key)
        if plan is None:
            plan = planned[key] = _Planned(
                file_number=key[0],
                prosecutor=prosecutor,
                court=court,
                police=police,
                started_on=started_on,
                stage=stage,
                stage_since=dates.get("stage_since") or started_on,
                ex_officio=(row.get("ex_officio") or "yes").strip().lower()
                in {"yes", "da", "да", "1", "true"},
                forms=forms,
            )
        elif plan.stage != stage or plan.started_on != started_on:
            bad("stage", _("Rows of the same proceeding disagree on its stage or start date."))
        plan.rows.append(
            _Row(
                number=number,
                defendant_sex=sex,
                year_of_birth=numbers.get("defendant_year_of_birth"),
                citizenship=[
                    c.strip()
                    for c in (row.get("defendant_citizenship") or "").split(";")
                    if c.strip()
                ],
                offence=row["offence"].strip().upper(),
                outcome=outcome,
                outcome_on=dates.get("outcome_on"),
                prison_months=numbers.get("prison_months"),
                victim_case_code=case_code,
            )
        )
    errors.raise_if_any()
    try:
        return _write(actor=actor, planned=list(planned.values()), filename=filename)
    except DomainError as exc:
        # A rule only the services know (e.g. a date before the stage began): still nothing written.
        raise TabularError([RowError(0, "", exc.message)]) from None


def _write(*, actor: User, planned: list[_Planned], filename: str) -> ImportResult:
    created = skipped = defendants = 0
    with transaction.atomic():
        for plan in planned:
            if Proceeding.objects.filter(
                file_number=plan.file_number, prosecutor_office=plan.prosecutor
            ).exists():
                skipped += 1
                continue
            first = (
                stages.PRE_INVESTIGATION
                if plan.stage == stages.PRE_INVESTIGATION
                else stages.INVESTIGATION
            )
            proceeding = services.proceeding_create(
                actor=actor,
                prosecutor_office=plan.prosecutor,
                court=plan.court,
                police_agency=plan.police,
                started_on=plan.started_on,
                stage=first,
                file_number=plan.file_number,
                ex_officio=plan.ex_officio,
                forms_of_exploitation=plan.forms,
            )
            target = stages.ORDER.index(plan.stage)
            for stage in stages.ORDER[stages.ORDER.index(first) + 1 : target + 1]:
                if stage == stages.APPEAL and plan.stage == stages.FINAL:
                    continue
                services.proceeding_move(
                    actor=actor,
                    proceeding=proceeding,
                    expected_version=proceeding.version,
                    stage=stage,
                    on=max(plan.stage_since, plan.started_on),
                    note=_("imported from a register"),
                )
            linked: set[str] = set()
            for row in plan.rows:
                defendant = services.defendant_add(
                    actor=actor,
                    proceeding=proceeding,
                    sex=row.defendant_sex,
                    offences=[row.offence],
                    year_of_birth=row.year_of_birth,
                    citizenship=row.citizenship,
                )
                defendants += 1
                if row.outcome != vocab.Outcome.PENDING:
                    services.defendant_record_outcome(
                        actor=actor,
                        defendant=defendant,
                        expected_version=defendant.version,
                        outcome=row.outcome,
                        on=row.outcome_on or plan.stage_since,
                        prison_months=row.prison_months,
                    )
                if row.victim_case_code and row.victim_case_code not in linked:
                    services.victim_link(
                        actor=actor, proceeding=proceeding, case_code=row.victim_case_code
                    )
                    linked.add(row.victim_case_code)
            created += 1
        record(
            actor=actor,
            verb="proceeding.import",
            purpose=filename[:200],
            changes={
                "created": [None, created],
                "skipped": [None, skipped],
                "defendants": [None, defendants],
            },
        )
    return ImportResult(created=created, skipped=skipped, defendants=defendants)
