"""`sjg --help` and simple commands start without the heavy libraries (启动速度).

A deterministic check instead of a timing one: in a fresh interpreter, registering every
command and printing help must not import the analytic, web, workflow-store or Spark stacks.
Each command imports what it needs when it runs. Timings: bench/startup.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sanjianguan

# Not pydantic: typer itself imports it to parse a command's options.
HEAVY = ("duckdb", "pyarrow", "fastapi", "sqlalchemy", "alembic", "numpy", "pandas", "pyspark")
SRC = Path(sanjianguan.__file__).resolve().parent.parent

PROBE = """
import json, sys
argv = json.loads(sys.argv[1])
if argv is None:
    import sanjianguan.cli.commands
else:
    sys.argv = ["sjg", *argv]
    from sanjianguan.cli import main
    try:
        main()
    except SystemExit:
        pass
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
"""


def loaded_modules(argv: list[str] | None) -> set[str]:
    """Top-level modules in sys.modules after importing the commands (None) or running `sjg argv`."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "argv",
    [
        None,
        ["--help"],
        ["status", "--help"],
        ["ingest", "--help"],
        ["cases", "--help"],
        ["analyze", "--help"],
    ],
    ids=["import", "help", "status-help", "ingest-help", "cases-help", "analyze-help"],
)
def test_startup_does_not_import_heavy_libraries(argv: list[str] | None) -> None:
    loaded = loaded_modules(argv)
    assert "typer" in loaded  # the probe really ran the CLI
    heavy = sorted(loaded.intersection(HEAVY))
    assert not heavy, f"启动时导入了 / imported at startup: {heavy}"


def test_a_command_still_imports_what_it_needs(tmp_path: Path) -> None:
    """The lazy imports are really there: `sjg kb load` writes the store (duckdb), `status` reads it."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "SJG_HOME": str(tmp_path / "home")}
    kb = Path(__file__).resolve().parent.parent / "fixtures" / "kb" / "base"
    run = "from sanjianguan.cli import main; main()"
    for argv in (["kb", "load", str(kb)], ["status", "--json"]):
        done = subprocess.run(
            [sys.executable, "-c", run, *argv], capture_output=True, text=True, env=env, timeout=120
        )
        assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["kb_version"] == 1
