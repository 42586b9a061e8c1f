"""Packaging honesty: every third-party module that src/ imports is a declared dependency.

`pip install .` (no extras) must give a CLI that starts: a module imported at module level
needs a core dependency; one imported lazily (inside a function, or only for type checking)
may instead come from a runtime extra such as [spark] (never from [dev]).
"""

from __future__ import annotations

import ast
import glob
import re
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
OWN = "sanjianguan"
DEV_EXTRAS = {"dev"}


@dataclass(frozen=True)
class Use:
    """One import of a third-party module: where, and whether it runs when the file is imported."""

    module: str
    file: str
    line: int
    eager: bool


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert match, f"pyproject: unreadable requirement {requirement!r}"
    return _normalise(match.group(0))


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(tree: ast.AST, file: str) -> list[Use]:
    """Top-level names of the absolute imports in `tree`; eager = runs at module import."""
    uses: list[Use] = []

    def visit(node: ast.AST, eager: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                uses.extend(Use(a.name.split(".")[0], file, child.lineno, eager) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                uses.append(Use(child.module.split(".")[0], file, child.lineno, eager))
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, False)
            elif isinstance(child, ast.If) and _is_type_checking(child):
                for inner in child.body:
                    visit(ast.Module(body=[inner], type_ignores=[]), False)
                for inner in child.orelse:
                    visit(ast.Module(body=[inner], type_ignores=[]), eager)
            else:
                visit(child, eager)

    visit(tree, True)
    return [u for u in uses if u.module != OWN and u.module not in sys.stdlib_module_names]


def third_party_uses() -> list[Use]:
    uses: list[Use] = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        uses.extend(imports_of(tree, str(path.relative_to(ROOT))))
    return uses


def declared() -> tuple[set[str], dict[str, set[str]]]:
    """Core dependencies and each extra's, as normalised distribution names."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = {_requirement_name(r) for r in project["dependencies"]}
    extras = {
        name: {_requirement_name(r) for r in reqs}
        for name, reqs in project.get("optional-dependencies", {}).items()
    }
    return core, extras


@cache
def _installed() -> dict[str, list[str]]:
    return packages_distributions()


def _distributions(module: str) -> set[str]:
    found = _installed().get(module)
    assert found, f"{module}: imported by src/ but not installed in this environment"
    return {_normalise(d) for d in found}


def problems(uses: list[Use], core: set[str], extras: dict[str, set[str]]) -> list[str]:
    """Every import not covered by the declared dependencies, as one readable line each."""
    runtime_extras = set().union(*(reqs for name, reqs in extras.items() if name not in DEV_EXTRAS))
    out = []
    for use in uses:
        dists = _distributions(use.module)
        allowed = core if use.eager else core | runtime_extras
        if not dists & allowed:
            where = "module level" if use.eager else "lazily"
            out.append(f"{use.file}:{use.line} imports {use.module} ({', '.join(sorted(dists))}) {where}")
    return out


def test_every_third_party_import_is_declared() -> None:
    core, extras = declared()
    missing = problems(third_party_uses(), core, extras)
    assert not missing, "未声明的依赖 / undeclared dependencies:\n" + "\n".join(missing)


def test_core_dependencies_are_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    loose = [r for r in project["dependencies"] if "==" not in r]
    assert not loose, f"未固定版本 / not pinned: {loose}"


def test_pyspark_is_only_in_the_spark_extra_and_imported_lazily() -> None:
    core, extras = declared()
    assert "pyspark" not in core
    assert "pyspark" in extras["spark"]
    spark = [u for u in third_party_uses() if u.module == "pyspark"]
    assert spark, "no pyspark import found: the walker missed engines/spark.py"
    eager = [u for u in spark if u.eager]
    assert not eager, f"pyspark imported at module level: {eager}"


def test_every_data_file_of_the_package_is_installed() -> None:
    """Files the code reads (catalogues, targets, ladder, KB sample, ...) match `package-data`."""
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    package = SRC / OWN
    shipped: set[str] = set()
    for pattern in tool["package-data"][OWN]:
        shipped.update(glob.glob(pattern, root_dir=package, recursive=True))
    data = {
        str(p.relative_to(package))
        for p in package.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    }
    assert data, "no data file found under src/sanjianguan"
    assert not data - shipped, f"不会被安装 / not installed by pip: {sorted(data - shipped)}"


def test_every_source_folder_is_a_package() -> None:
    """`packages.find` installs only folders with an __init__.py."""
    folders = {p.parent for p in (SRC / OWN).rglob("*.py") if "__pycache__" not in p.parts}
    missing = sorted(str(f.relative_to(SRC)) for f in folders if not (f / "__init__.py").exists())
    assert not missing, f"缺少 __init__.py / not a package: {missing}"


def test_the_walker_tells_eager_from_lazy_imports() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "import numpy as np\n"
        "if TYPE_CHECKING:\n    import pandas\n"
        "def f():\n    import pyspark.sql\n"
        "from . import sibling\n"
        "from sanjianguan.x import y\n"
    )
    found = {(u.module, u.eager) for u in imports_of(tree, "f.py")}
    assert found == {("numpy", True), ("pandas", False), ("pyspark", False)}
    core = {"duckdb"}
    lines = problems(imports_of(tree, "f.py"), core, {"spark": {"pyspark"}, "dev": {"pandas"}})
    assert [line.split(" imports ")[1].split(" ")[0] for line in lines] == ["numpy", "pandas"]
