"""Opening the analytic store for a request: read-only for reading, briefly for a write.

A data folder without a store has nothing to show yet (None), not an error. An open waits
at most `[store] api_wait_seconds` for an ingest's lock, then raises StoreBusyError (the
web answers 503 with Retry-After).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from sanjianguan.analytic_store.database import STORE_FILE, open_store
from sanjianguan.config import Settings


@contextmanager
def reading(home: Path, settings: Settings) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The store opened read-only (None when the data folder has no store yet)."""
    if not (home / STORE_FILE).exists():
        yield None
        return
    con = open_store(home, settings, read_only=True, wait=settings.store.api_wait_seconds)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def writing(home: Path, settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store opened for a short write (created with its schema if missing)."""
    con = open_store(home, settings, wait=settings.store.api_wait_seconds)
    try:
        yield con
    finally:
        con.close()


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the store has table or view `name` (results appear after the first run)."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = 'main'",
        [name],
    ).fetchone()
    return bool(row and row[0])
