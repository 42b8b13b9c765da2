"""The app layering holds (issue 16): the import-linter contracts in pyproject.toml are kept, and
they do catch a new cycle or a lower layer importing a higher one."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter.configuration import configure
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
configure()  # import-linter's settings (clock, readers), as its command line sets them
CONTRACTS = {
    "layers": LayersContract,
    "acyclic": AcyclicSiblingsContract,
    "audit-below-views": ForbiddenContract,
}


@pytest.fixture(scope="module")
def options() -> dict[str, dict[str, object]]:
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    return {c["id"]: c for c in config["contracts"]}


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("opennrm", exclude_type_checking_imports=True, cache_dir=None)


def _kept(
    options: dict[str, dict[str, object]], contract_id: str, graph: grimp.ImportGraph
) -> bool:
    raw = dict(options[contract_id])
    contract = CONTRACTS[contract_id](
        name=str(raw["name"]), session_options={"root_packages": ["opennrm"]}, contract_options=raw
    )
    return contract.check(copy.deepcopy(graph), verbose=False).kept  # check() drops ignored imports


def test_the_code_keeps_every_layering_contract(options: dict[str, dict[str, object]]) -> None:
    graph = _graph()
    assert set(options) == set(CONTRACTS)
    assert _kept(options, "layers", graph)
    assert _kept(options, "acyclic", graph)
    assert _kept(options, "audit-below-views", graph)


@pytest.mark.parametrize(
    ("importer", "imported", "broken"),
    [
        # A new cycle between two domain apps (cases ↔ justice was one until issue 16).
        ("opennrm.cases.selectors", "opennrm.justice.selectors", {"acyclic"}),
        # A lower layer reaching up: core into a domain app, a domain app into monitoring.
        ("opennrm.core.models", "opennrm.cases.models", {"layers", "acyclic"}),
        ("opennrm.training.services", "opennrm.monitoring.models", {"layers", "acyclic"}),
        # A view recording an audit entry itself, instead of its selector or service.
        ("opennrm.cases.views", "opennrm.audit.services", {"audit-below-views"}),
        ("opennrm.justice.api", "opennrm.audit.services", {"audit-below-views"}),
    ],
)
def test_a_new_cycle_or_upward_import_breaks_a_contract(
    options: dict[str, dict[str, object]], importer: str, imported: str, broken: set[str]
) -> None:
    graph = _graph()
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="import")
    assert {cid for cid in CONTRACTS if not _kept(options, cid, graph)} == broken
