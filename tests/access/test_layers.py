"""Access and the calendar sit below the workflow stages: neither imports one (checked with grimp).

`access/` decides who sees what for every stage, and the official calendar counts every
stage's working days; a stage imported from either would make a loop.
"""

from __future__ import annotations

import grimp
import pytest

ALLOWED = {
    "access": {"access", "audit", "calendar", "config", "errors", "workflow_db"},
    "calendar": {"calendar", "audit", "workflow_db", "errors", "config", "period"},
}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("sanjianguan")


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_the_package_imports_only_the_layers_below_it(graph: grimp.ImportGraph, package: str) -> None:
    imported = {
        found.split(".")[1]
        for module in graph.find_descendants(f"sanjianguan.{package}") | {f"sanjianguan.{package}"}
        for found in graph.find_modules_directly_imported_by(module)
        if found.startswith("sanjianguan.")
    }
    assert imported <= ALLOWED[package], sorted(imported - ALLOWED[package])
