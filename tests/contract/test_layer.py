"""The contract is the bottom layer: it imports nothing from the store or from quality above it."""

from __future__ import annotations

import grimp
import pytest

ABOVE_CONTRACT = ("sanjianguan.analytic_store", "sanjianguan.quality", "sanjianguan.workflow_db")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("sanjianguan")


@pytest.mark.parametrize("upper", ABOVE_CONTRACT)
def test_contract_does_not_import_upper_layers(graph: grimp.ImportGraph, upper: str) -> None:
    assert graph.find_shortest_chain("sanjianguan.contract", upper, as_packages=True) is None


def test_store_does_not_import_quality(graph: grimp.ImportGraph) -> None:
    chain = graph.find_shortest_chain("sanjianguan.analytic_store", "sanjianguan.quality", as_packages=True)
    assert chain is None
