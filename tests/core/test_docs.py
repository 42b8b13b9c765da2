"""The documents in ``docs/`` say what the code does.

The access matrix in ``docs/access-matrix.md`` is the role table of ``accounts/roles.py`` rendered
as Markdown: when a role or an action changes, this test fails and prints the table to paste.
"""

from __future__ import annotations

import re
from pathlib import Path

from opennrm.accounts.roles import ACTIONS, ROLE_ACTIONS, Role

DOCS = Path(__file__).resolve().parents[2] / "docs"


def render_matrix() -> str:
    roles = list(Role)
    lines = [
        "| Action | What it allows | " + " | ".join(f"`{r.value}`" for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for action, meaning in ACTIONS.items():
        marks = ["✔" if action in ROLE_ACTIONS.get(r, frozenset()) else "" for r in roles]
        lines.append(f"| `{action}` | {meaning} | " + " | ".join(marks) + " |")
    return "\n".join(lines)


def render_personas() -> str:
    """The demo personas (``opennrm/demo/personas.py``), one a line: who holds which role."""
    from opennrm.demo.personas import AGENCIES, PERSONAS

    agencies = {a.key: a.short_name for a in AGENCIES}
    lines = ["| Persona | Agency | Roles | Who |", "|---|---|---|---|"]
    for p in PERSONAS:
        roles = ", ".join(f"`{r}`" for r in p.roles)
        lines.append(
            f"| `{p.username}` ({p.first_name} {p.last_name}) | {agencies[p.agency]} | {roles} "
            f"| {p.description} |"
        )
    return "\n".join(lines)


def test_the_access_matrix_document_lists_the_demo_personas() -> None:
    text = (DOCS / "access-matrix.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- personas:start -->\n(.*?)\n<!-- personas:end -->", text, re.S)
    assert match, "docs/access-matrix.md lost its persona markers"
    expected = render_personas()
    assert match.group(1) == expected, (
        "docs/access-matrix.md lists stale personas; run scripts/access_matrix.py"
    )


def test_the_access_matrix_document_is_the_role_table() -> None:
    text = (DOCS / "access-matrix.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- matrix:start -->\n(.*?)\n<!-- matrix:end -->", text, re.S)
    assert match, "docs/access-matrix.md lost its matrix markers"
    expected = render_matrix()
    assert match.group(1) == expected, (
        "docs/access-matrix.md is stale; replace the table between the markers with:\n\n" + expected
    )


def test_every_document_the_index_names_exists() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", index):
        assert (DOCS / target).resolve().exists(), f"docs/README.md links to missing {target}"


def test_every_model_of_the_project_is_named_in_the_data_model_document() -> None:
    from django.apps import apps

    text = (DOCS / "data-model.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(\w+)`", text))
    missing = sorted(
        f"{m._meta.app_label}.{m.__name__}"
        for m in apps.get_models()
        if m.__module__.startswith("opennrm.") and m.__name__ not in named
    )
    assert not missing, f"docs/data-model.md does not describe {missing}"
