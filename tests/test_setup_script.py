"""scripts/setup: `make demo` installs the package alone, `make test` adds the [dev,spark] extras.

The script runs in a copy of the checkout whose .venv has a recording `pip`; Java, PostgreSQL
and the server start are stand-ins on PATH, so only the install decisions are exercised.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _executable(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/usr/bin/env bash\n" + body + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _checkout(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup", repo / "scripts" / "setup")
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    _executable(repo / "scripts" / "start-postgres", "exit 0")
    _executable(repo / ".venv" / "bin" / "python", "exit 0")
    # Records each install (the upgrade of pip itself is not one).
    _executable(
        repo / ".venv" / "bin" / "pip",
        'if [[ " $* " != *" --upgrade pip "* ]]; then echo "${@: -1}" >> "$(dirname "$0")/../../pip.log"; fi',
    )
    for tool in ("java", "pg_ctlcluster", "chromium", "dpkg"):
        _executable(tmp_path / "bin" / tool, "exit 0")
    return repo


def _setup(repo: Path, *args: str) -> list[str]:
    """Run scripts/setup; the installs it made (pip targets), in order."""
    log = repo / "pip.log"
    log.unlink(missing_ok=True)
    env = {**os.environ, "PATH": f"{repo.parent / 'bin'}:{os.environ['PATH']}"}
    subprocess.run([str(repo / "scripts" / "setup"), *args], check=True, env=env, timeout=60)
    return log.read_text(encoding="utf-8").split() if log.exists() else []


def test_demo_installs_the_package_alone_and_test_adds_the_extras(tmp_path: Path) -> None:
    repo = _checkout(tmp_path)
    assert _setup(repo) == ["."]  # make demo
    assert _setup(repo) == []  # already there
    assert _setup(repo, "--system") == [".[dev,spark]"]  # make test after make demo: dev extras too
    assert _setup(repo, "--system") == []
    assert _setup(repo) == []  # the full install serves the demo as well


def test_a_changed_pyproject_reinstalls_in_each_mode(tmp_path: Path) -> None:
    repo = _checkout(tmp_path)
    assert _setup(repo, "--system") == [".[dev,spark]"]
    with (repo / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write("\n# changed\n")
    assert _setup(repo) == ["."]
    assert _setup(repo, "--system") == [".[dev,spark]"]
    assert _setup(repo) == []


def test_system_mode_asks_for_chromium_and_the_cjk_fonts(tmp_path: Path) -> None:
    """Browser tests need Debian's Chromium and fonts-noto-cjk: a non-root setup names them."""
    repo = _checkout(tmp_path)
    _executable(tmp_path / "bin" / "dpkg", "exit 1")  # fonts-noto-cjk not installed
    _executable(tmp_path / "bin" / "id", "echo 1000")  # not root: asked for, not installed
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    done = subprocess.run(
        [str(repo / "scripts" / "setup"), "--system"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "fonts-noto-cjk" in done.stderr
