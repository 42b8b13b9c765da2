"""manage.py import_catalogue: validation that names each bad row and field, all or nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from opennrm.screening.catalogue_io import BUNDLED
from opennrm.screening.models import IndicatorCatalogue

pytestmark = pytest.mark.django_db

HEADER = "code,dimension,strength,label_en,label_sr,question_en,question_sr\n"
GOOD_ROW = "XL-DR-01,deceptive_recruitment,strong,Deceived,Обмана,Were you deceived?,Да ли сте преварени?\n"


def _run(path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_catalogue", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_yaml_catalogue_as_a_new_version(tmp_path: Path) -> None:
    path = tmp_path / "adult_labour.yaml"
    path.write_bytes((BUNDLED / "adult_labour.yaml").read_bytes())
    out, _ = _run(path)
    assert "Imported adult_labour version 2 (67 indicators, verified)." in out
    versions = list(
        IndicatorCatalogue.objects.filter(list_name="adult_labour").values_list(
            "version", flat=True
        )
    )
    assert versions == [2, 1]


def test_it_names_every_bad_row_and_imports_nothing(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        HEADER
        + GOOD_ROW
        + "XL-DR-01,deceptive_recruitment,strong,Again,Опет,Again?,Опет?\n"
        + "XL-XX-02,recruitment,medium,Label,Ознака,Question?,Питање?\n"
        + "XL-EX-03,exploitation,very strong,Label,Ознака,Question?,Питање?\n"
        + "XL-EX-04,exploitation,medium,,Ознака,Question?,Питање?\n"
        + "XL-EX-05,exploitation,medium,Label,Label in Latin,Question?,Питање?\n",
        encoding="utf-8",
    )
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_catalogue", str(path), "--list", "adult_labour", stderr=err, stdout=StringIO()
        )
    assert (
        str(caught.value)
        == "The file was not imported: 6 problems were found. Nothing was changed."
    )
    assert err.getvalue().splitlines() == [
        "row 3, code: The code “XL-DR-01” is used twice (also in row 2).",
        "row 4, dimension: Unknown dimension “recruitment”; use one of: deceptive_recruitment, "
        "coercive_recruitment, recruitment_abuse_of_vulnerability, exploitation, "
        "coercion_at_destination, abuse_of_vulnerability_at_destination.",
        "row 5, strength: Bad strength “very strong”; use strong, medium or weak.",
        "row 6, label_en: The label_en is missing.",
        "row 7, label_sr: The label_sr must be written in Serbian Cyrillic.",
        "file, rules.required: No indicator belongs to any of the required dimensions "
        "coercion_at_destination, abuse_of_vulnerability_at_destination.",
    ]
    assert IndicatorCatalogue.objects.filter(list_name="adult_labour").count() == 1


def test_a_csv_catalogue_takes_the_current_rules_and_is_unverified_unless_flagged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "national.csv"
    rows = [
        f"XL-{abbr}-01,{dimension},strong,Label,Ознака,Question?,Питање?\n"
        for abbr, dimension in [
            ("DR", "deceptive_recruitment"),
            ("EX", "exploitation"),
            ("CD", "coercion_at_destination"),
        ]
    ]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    out, _ = _run(path, "--list", "adult_sexual", "--source", "National list 2021")
    assert "Imported adult_sexual version 2 (3 indicators, UNVERIFIED)." in out
    newest = IndicatorCatalogue.objects.get(list_name="adult_sexual", version=2)
    assert newest.rules == IndicatorCatalogue.objects.get(list_name="adult_sexual", version=1).rules
    assert newest.source == "National list 2021"
    assert not newest.verified


def test_yaml_rules_and_list_are_validated(tmp_path: Path) -> None:
    data = yaml.safe_load((BUNDLED / "child_labour.yaml").read_text(encoding="utf-8"))
    data["list"] = "teen_labour"
    data["verified"] = "yes"
    data["rules"]["combinations"][0]["minimum"] = {"strongish": 2}
    data["rules"]["required"].append(["exploitation", "bribery"])
    data["indicators"][4]["strength"] = "S"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path), stderr=err, stdout=StringIO())
    assert err.getvalue().splitlines() == [
        "file, list: Unknown list “teen_labour”; use one of: adult_labour, adult_sexual, "
        "child_labour, child_sexual.",
        "file, verified: “verified” must be true or false.",
        "file, rules.combinations.1: Combination 1 needs a name and minimum counts (positive whole "
        "numbers) of strong, medium, weak or medium_or_weak.",
        "file, rules.required.3: Required group 3 must list known dimensions.",
        "row 5, strength: Bad strength “S”; use strong, medium or weak.",
    ]
    assert IndicatorCatalogue.objects.count() == 4
