"""The clue workflow sits between clues (below) and the front ends (above).

clues → cases used to loop (`clues/generate.py` → `cases/...` → `clues/anonymise.py`);
clues is the lower layer and must not reach cases by any chain of imports, and cases
must not reach the web app, the CLI, the reports or the demo.

Chains are looked up between whole packages (`as_packages=True`): between the package
modules alone (`sanjianguan.cases` is only `cases/__init__.py`) there is never a chain.
"""

from __future__ import annotations

import grimp
import pytest

HIGHER = ("web", "cli", "reports", "demo")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("sanjianguan")


def chains(graph: grimp.ImportGraph, importer: str, imported: str) -> set[tuple[str, ...]]:
    """Every shortest import chain from a module of package `importer` to one of `imported`."""
    return graph.find_shortest_chains(f"sanjianguan.{importer}", f"sanjianguan.{imported}", as_packages=True)


def test_clues_does_not_import_cases(graph: grimp.ImportGraph) -> None:
    assert chains(graph, "clues", "cases") == set()


def test_cases_imports_clues_downward(graph: grimp.ImportGraph) -> None:
    # The other direction exists (cases/views masks evidence with clues/anonymise): the
    # lookup sees real chains, so the empty sets above are not vacuous.
    assert ("sanjianguan.cases.views", "sanjianguan.clues.anonymise") in chains(graph, "cases", "clues")


@pytest.mark.parametrize("higher", HIGHER)
def test_cases_does_not_import_a_higher_layer(graph: grimp.ImportGraph, higher: str) -> None:
    assert chains(graph, "cases", higher) == set()
