"""Shared fixtures: a fresh data folder and its context."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from sanjianguan.context import Context

# Workflow-store fixtures (SQLite and PostgreSQL databases, sessions, a clock).
pytest_plugins = ["tests.db.fixtures"]


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
