"""The import layers of docs/architecture.md hold (import-linter contracts in pyproject.toml).

A new top-level package must be placed in a contract: an unplaced package would escape
the layering silently, so that is a failure too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import sanjianguan

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(sanjianguan.__file__).parent


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _placed() -> set[str]:
    names: set[str] = set()
    for contract in _contracts():
        for key in ("layers", "source_modules"):
            for entry in contract.get(key, []):  # type: ignore[attr-defined]
                names.update(part.strip() for part in str(entry).replace("|", ":").split(":"))
    return names


def test_every_top_level_module_is_in_a_contract() -> None:
    packages = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    files = {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    modules = {f"sanjianguan.{name}" for name in packages | files}
    assert modules - _placed() == set(), "place these in a layer of [tool.importlinter] (pyproject.toml)"


def _lint(source_root: Path) -> subprocess.CompletedProcess[str]:
    """import-linter on the package found under `source_root`, with this project's contracts."""
    linter = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(linter), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(source_root)},
        check=False,
    )


def test_import_contracts_are_kept() -> None:
    result = _lint(PACKAGE.parent)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    kept = result.stdout.count("KEPT")
    assert kept == len(_contracts()), result.stdout


UPWARD = [
    (
        "clues/__init__.py",
        "sanjianguan.cases.states",
        "sanjianguan.clues is not allowed to import sanjianguan.cases",
    ),
    ("rules/__init__.py", "sanjianguan.indicators.model", "sanjianguan.rules is not allowed to import"),
    ("calendar/days.py", "sanjianguan.points.config", "sanjianguan.calendar is not allowed to import"),
    ("period.py", "sanjianguan.access.regions", "import no package of the platform BROKEN"),
]


@pytest.mark.parametrize(("module", "imported", "broken"), UPWARD)
def test_an_upward_import_breaks_a_contract(tmp_path: Path, module: str, imported: str, broken: str) -> None:
    """The contracts bite: one import against the flow, in a copy of the package, is reported."""
    copy = tmp_path / "sanjianguan"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("static", "__pycache__", "*.csv"))
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + f"\nimport {imported}  # noqa\n", encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert broken in " ".join(result.stdout.split()), result.stdout[-3000:]
