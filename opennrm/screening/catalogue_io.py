"""Reading and validating an indicator catalogue from YAML or CSV, before anything is written.

Every problem in the file is collected (row or indicator number, field, why) and reported at once
as a ``TabularError``; the service writes a new catalogue version only from a clean ``CatalogueSpec``.
YAML carries everything (list, source, verified flag, rules, indicators); CSV carries indicators
only, one per row, and takes the list name, flag and source from the command line and the rules
from the list's current version (or the reference defaults).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from opennrm.core.tabular import RowError, RowErrors, TabularError, read_rows
from opennrm.screening import engine

BUNDLED = Path(__file__).resolve().parent / "catalogues"
LIST_NAMES = ("adult_labour", "adult_sexual", "child_labour", "child_sexual")
CSV_COLUMNS = (
    "code",
    "dimension",
    "strength",
    "label_en",
    "label_sr",
    "question_en",
    "question_sr",
)
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    dimension: str
    strength: str
    label_en: str
    label_sr: str
    question_en: str
    question_sr: str


@dataclass(frozen=True)
class CatalogueSpec:
    list_name: str
    source: str
    verified: bool
    rules: dict[str, Any]
    indicators: tuple[IndicatorRow, ...]


def default_rules(list_name: str) -> dict[str, Any]:
    rules = engine.CHILD_RULES if list_name.startswith("child_") else engine.ADULT_RULES
    return engine.rules_to_data(rules)


def parse_yaml(text: str | bytes) -> CatalogueSpec:
    """A catalogue from YAML; raises TabularError naming every bad field."""
    errors = RowErrors()
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TabularError(
            [_error(0, "", _("The file is not valid YAML: %(detail)s") % {"detail": exc})]
        ) from None
    if not isinstance(data, dict):
        raise TabularError([_error(0, "", _("The file must describe one catalogue (a mapping)."))])
    list_name = str(data.get("list") or "")
    if list_name not in LIST_NAMES:
        errors.add(0, "list", _list_message(list_name))
    verified = data.get("verified")
    if not isinstance(verified, bool):
        errors.add(0, "verified", _("“verified” must be true or false."))
    rules = data.get("rules")
    _check_rules(rules, errors)
    raw_items = data.get("indicators")
    rows: list[tuple[int, dict[str, str]]] = []
    if not isinstance(raw_items, list) or not raw_items:
        errors.add(0, "indicators", _("The catalogue has no indicators."))
    else:
        for number, item in enumerate(raw_items, start=1):
            if not isinstance(item, dict):
                errors.add(number, "", _("Each indicator must be a mapping of fields."))
                continue
            rows.append((number, _flatten(item)))
    indicators = _check_indicators(rows, errors, rules if isinstance(rules, dict) else None)
    errors.raise_if_any()
    assert isinstance(rules, dict)
    return CatalogueSpec(
        list_name=list_name,
        source=str(data.get("source") or ""),
        verified=bool(verified),
        rules=_normalise_rules(rules),
        indicators=indicators,
    )


def parse_csv(
    raw: bytes,
    *,
    filename: str,
    list_name: str,
    verified: bool,
    source: str,
    rules: Mapping[str, Any] | None,
) -> CatalogueSpec:
    """A catalogue from CSV or XLSX rows (``core.tabular``); rows are numbered as in the sheet."""
    errors = RowErrors()
    if list_name not in LIST_NAMES:
        raise TabularError([_error(0, "list", _list_message(list_name))])
    _, body = read_rows(
        raw, filename=filename, columns=CSV_COLUMNS, required=CSV_COLUMNS, extra="error"
    )
    rule_data = dict(rules) if rules is not None else default_rules(list_name)
    indicators = _check_indicators(list(body), errors, rule_data)
    errors.raise_if_any()
    return CatalogueSpec(
        list_name=list_name,
        source=source,
        verified=verified,
        rules=_normalise_rules(rule_data),
        indicators=indicators,
    )


def bundled_specs() -> list[CatalogueSpec]:
    """The four catalogues shipped with OpenNRM (loaded by migration 0002)."""
    return [parse_yaml((BUNDLED / f"{name}.yaml").read_bytes()) for name in LIST_NAMES]


def _error(row: int, column: str, message: str) -> RowError:
    return RowError(row, column, message)


def _list_message(list_name: str) -> str:
    return _("Unknown list “%(name)s”; use one of: %(names)s.") % {
        "name": list_name,
        "names": ", ".join(LIST_NAMES),
    }


def _flatten(item: Mapping[str, Any]) -> dict[str, str]:
    flat = {key: str(item.get(key) or "").strip() for key in ("code", "dimension", "strength")}
    for key in ("label", "question"):
        value = item.get(key)
        texts = value if isinstance(value, dict) else {}
        for language in ("en", "sr"):
            flat[f"{key}_{language}"] = str(texts.get(language) or "").strip()
    return flat


def _check_indicators(
    rows: Iterable[tuple[int, dict[str, str]]],
    errors: RowErrors,
    rules: Mapping[str, Any] | None,
) -> tuple[IndicatorRow, ...]:
    seen: dict[str, int] = {}
    result: list[IndicatorRow] = []
    dimensions_present: set[str] = set()
    for number, row in rows:
        code = row.get("code", "")
        if not code:
            errors.add(number, "code", _("The code is missing."))
        elif not _CODE.match(code):
            errors.add(
                number,
                "code",
                _(
                    "The code “%(code)s” must be capital letters, digits and hyphens (e.g. AL-DR-01)."
                )
                % {"code": code},
            )
        elif code in seen:
            errors.add(
                number,
                "code",
                _("The code “%(code)s” is used twice (also in row %(row)d).")
                % {"code": code, "row": seen[code]},
            )
        else:
            seen[code] = number
        dimension = row.get("dimension", "")
        if dimension not in engine.DIMENSIONS:
            errors.add(
                number,
                "dimension",
                _("Unknown dimension “%(value)s”; use one of: %(names)s.")
                % {"value": dimension, "names": ", ".join(engine.DIMENSIONS)},
            )
        else:
            dimensions_present.add(dimension)
        strength = row.get("strength", "")
        if strength not in engine.STRENGTHS:
            errors.add(
                number,
                "strength",
                _("Bad strength “%(value)s”; use strong, medium or weak.") % {"value": strength},
            )
        for field in ("label_en", "label_sr", "question_en", "question_sr"):
            text = row.get(field, "")
            if not text:
                errors.add(number, field, _("The %(field)s is missing.") % {"field": field})
            elif field.endswith("_sr") and not _CYRILLIC.search(text):
                errors.add(
                    number,
                    field,
                    _("The %(field)s must be written in Serbian Cyrillic.") % {"field": field},
                )
            elif len(text) > (300 if field.startswith("label") else 500):
                errors.add(number, field, _("The %(field)s is too long.") % {"field": field})
        result.append(
            IndicatorRow(
                code=code,
                dimension=dimension,
                strength=strength,
                label_en=row.get("label_en", ""),
                label_sr=row.get("label_sr", ""),
                question_en=row.get("question_en", ""),
                question_sr=row.get("question_sr", ""),
            )
        )
    if not result:
        errors.add(0, "indicators", _("The catalogue has no indicators."))
    elif rules is not None and isinstance(rules.get("required"), list):
        # A required dimension with no indicator would make a positive result impossible.
        for group in rules["required"]:
            if isinstance(group, list) and not dimensions_present.intersection(group):
                errors.add(
                    0,
                    "rules.required",
                    _("No indicator belongs to any of the required dimensions %(names)s.")
                    % {"names": ", ".join(str(d) for d in group)},
                )
    return tuple(result)


def _check_rules(rules: Any, errors: RowErrors) -> None:
    if not isinstance(rules, dict):
        errors.add(0, "rules", _("The catalogue has no rules (combinations and required)."))
        return
    combinations = rules.get("combinations")
    if not isinstance(combinations, list) or not combinations:
        errors.add(0, "rules.combinations", _("At least one combination is required."))
    else:
        for number, combination in enumerate(combinations, start=1):
            minimum = combination.get("minimum") if isinstance(combination, dict) else None
            valid = (
                isinstance(minimum, dict)
                and minimum
                and all(k in engine.COUNT_KEYS for k in minimum)
                and all(isinstance(v, int) and v > 0 for v in minimum.values())
                and bool(combination.get("name"))
            )
            if not valid:
                errors.add(
                    0,
                    f"rules.combinations.{number}",
                    _(
                        "Combination %(number)d needs a name and minimum counts (positive whole "
                        "numbers) of strong, medium, weak or medium_or_weak."
                    )
                    % {"number": number},
                )
    required = rules.get("required")
    if not isinstance(required, list) or not required:
        errors.add(0, "rules.required", _("At least one group of required dimensions is needed."))
        return
    for number, group in enumerate(required, start=1):
        if (
            not isinstance(group, list)
            or not group
            or any(d not in engine.DIMENSIONS for d in group)
        ):
            errors.add(
                0,
                f"rules.required.{number}",
                _("Required group %(number)d must list known dimensions.") % {"number": number},
            )


def _normalise_rules(rules: Mapping[str, Any]) -> dict[str, Any]:
    return engine.rules_to_data(engine.rules_from_data(rules))


def create_version(
    spec: CatalogueSpec, *, catalogue_model: Any, indicator_model: Any, imported_by_id: int | None
) -> Any:
    """Write ``spec`` as the next version of its list.

    Takes the model classes so that migration 0002 can pass its historical models; the caller
    holds the transaction (and, in the service, writes the audit entry).
    """
    latest = (
        catalogue_model.objects.filter(list_name=spec.list_name)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    catalogue = catalogue_model.objects.create(
        list_name=spec.list_name,
        version=(latest or 0) + 1,
        source=spec.source,
        verified=spec.verified,
        rules=spec.rules,
        imported_by_id=imported_by_id,
    )
    indicator_model.objects.bulk_create(
        indicator_model(
            catalogue=catalogue,
            code=row.code,
            dimension=row.dimension,
            strength=row.strength,
            label_en=row.label_en,
            label_sr=row.label_sr,
            question_en=row.question_en,
            question_sr=row.question_sr,
            position=position,
        )
        for position, row in enumerate(spec.indicators, start=1)
    )
    return catalogue
