"""The README tells the truth: every operator command it lists exists and answers ``--help``, and
every environment variable in its settings table is read by ``opennrm/settings.py``.

Both tables are read from the README itself, so a command or a setting renamed in the code without
the README (or listed in the README and never built) fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SETTINGS = (ROOT / "opennrm" / "settings.py").read_text(encoding="utf-8")


def _section(heading: str) -> str:
    """The text under a ``## heading`` up to the next heading of the same level."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert match, f"README has no section {heading!r}"
    return match.group(1)


def _first_cells(section: str) -> list[str]:
    rows = [line for line in section.splitlines() if line.startswith("|")]
    rows = [row for row in rows if not re.fullmatch(r"[|\s:-]+", row)][1:]  # no rule, no header
    # A pipe escaped as ``\|`` belongs to the cell.
    return [re.split(r"(?<!\\)\|", row)[1] for row in rows]


def _command_rows() -> dict[str, str]:
    """Each command the operators' table names, with the text of the cell that names it."""
    rows: dict[str, str] = {}
    for cell in _first_cells(_section("Operators' commands")):
        for name in re.findall(r"manage\.py (\w+)", cell):
            rows[name] = cell
    return rows


def _commands() -> list[str]:
    return sorted(_command_rows())


def _variables() -> list[str]:
    names: list[str] = []
    for cell in _first_cells(_section("Settings (environment variables)")):
        names += re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)
    return sorted(set(names))


def test_the_readme_lists_commands_and_settings() -> None:
    assert len(_commands()) >= 10
    assert len(_variables()) >= 20


@pytest.mark.parametrize("name", _commands())
def test_every_operator_command_in_the_readme_answers_help(name: str) -> None:
    commands = get_commands()
    assert name in commands, f"README lists manage.py {name}, which does not exist"
    command = load_command_class(commands[name], name)
    parser = command.create_parser("manage.py", name)
    assert parser.format_help().startswith("usage: manage.py " + name)
    # An option the command cannot run without is shown where the README gives its usage.
    cell = _command_rows()[name]
    for action in parser._actions:
        if action.required and action.option_strings:
            assert any(option in cell for option in action.option_strings), (
                f"manage.py {name} requires {action.option_strings[-1]}; the README omits it"
            )


@pytest.mark.parametrize("name", _variables())
def test_every_setting_in_the_readme_is_read_by_the_settings_module(name: str) -> None:
    base = name.removesuffix("_FILE")
    assert f'"{name}"' in SETTINGS or f'"{base}"' in SETTINGS, (
        f"README lists {name}, which opennrm/settings.py never reads"
    )


def test_every_setting_the_settings_module_reads_is_in_the_readme() -> None:
    read = set(re.findall(r'env_\w+\(\s*"([A-Z][A-Z0-9_]+)"', SETTINGS))
    missing = sorted(read - set(_variables()))
    assert not missing, (
        f"opennrm/settings.py reads {missing}; the README's settings table omits them"
    )
