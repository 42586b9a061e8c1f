"""Shared fixtures: a fresh data folder and its context."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from sanjianguan.context import Context
from tests.services import browser, unavailable

# Workflow-store fixtures (SQLite and PostgreSQL databases, sessions, a clock); the
# per-backend summary printed at the end of a run; the collector kept short (tests/heap.py);
# pytester for the tests of that plugin.
pytest_plugins = ["tests.workflow_db.fixtures", "tests.backends", "tests.heap", "pytester"]


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Browser tests (marker `browser`) need Chromium: skipped without it, failed under CI=true."""
    if item.get_closest_marker("browser") is not None and browser() is None:
        unavailable("Chromium", "no chromium on PATH (apt-get install chromium)")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty data folder."""
    return tmp_path / "sjg-data"


@pytest.fixture
def ctx(home: Path, monkeypatch: pytest.MonkeyPatch) -> Context:
    """A context on an empty data folder, with no SJG_* variables leaking in."""
    for key in [k for k in __import__("os").environ if k.startswith("SJG")]:
        monkeypatch.delenv(key, raising=False)
    return Context.open(home)


@pytest.fixture
def con(ctx: Context) -> Iterator[duckdb.DuckDBPyConnection]:
    """An open store with the full schema."""
    with ctx.store() as connection:
        yield connection
