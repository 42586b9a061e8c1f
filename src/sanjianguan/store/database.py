"""Opening the analytic store (DuckDB file `<home>/store.duckdb`)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from sanjianguan.config import Settings
from sanjianguan.errors import StoreError
from sanjianguan.store import segments
from sanjianguan.store.ddl import all_ddl

STORE_FILE = "store.duckdb"
SALT_FILE = "secret.salt"
SCHEMA_VERSION = "2"  # 2: fee lines in `fee_lines` + segments, `fee_items` a view
# On-disk format of a new store. DuckDB writes new files in an old format by default
# (readable by old versions), which compresses text with separate dictionary and FSST
# passes; the newer format's combined DICT_FSST compresses a batch's text columns in
# about 20-30 % less CPU at the same size, and text compression is most of the cost of
# loading fee lines. A file keeps the format it was created with, so an existing store
# is unaffected (and older DuckDB versions cannot open a new one).
STORAGE_VERSION = "v1.5.0"


def open_store(home: Path, settings: Settings, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Connect to the store of a data folder, creating it (and its schema) on first use."""
    path = home / STORE_FILE
    if read_only and not path.exists():
        raise StoreError(f"数据目录中没有库 / no store in {home}: run `sjg ingest` or `sjg kb load` first")
    home.mkdir(parents=True, exist_ok=True)
    try:
        if not path.exists():
            _create(path)
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        raise StoreError(f"无法打开库 / cannot open store {path}: {exc}") from exc
    con.execute(f"SET memory_limit = '{settings.ingest.memory_limit}'")
    con.execute(f"SET threads = {int(settings.ingest.threads)}")
    con.execute("SET preserve_insertion_order = false")
    if read_only:
        segments.follow_home(con)
    else:
        ensure_schema(con)
    return con


def _create(path: Path) -> None:
    """Create an empty store file in `STORAGE_VERSION` format.

    Only creation takes the format option: every later connection opens the file with
    default options, so any connection to it (also outside this module) has one config.
    """
    duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION}).close()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table and view of the store if missing; bring an older store up to date."""
    _rename_fee_table(con)
    for statement in all_ddl():
        con.execute(statement)
    con.execute(segments.CATALOG_DDL)
    segments.refresh_view(con)
    segments.sweep_orphans(con)
    con.execute(
        "INSERT INTO meta VALUES ('schema_version', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [SCHEMA_VERSION],
    )


def _rename_fee_table(con: duckdb.DuckDBPyConnection) -> None:
    """Schema 1 stored fee lines in a table `fee_items`; it is `fee_lines` now (same columns)."""
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE table_name = ? AND schema_name = 'main' AND NOT temporary",
        [segments.VIEW],
    ).fetchone()
    if row and row[0]:
        con.execute(f"ALTER TABLE {segments.VIEW} RENAME TO {segments.NATIVE_TABLE}")


@contextmanager
def store(home: Path, settings: Settings, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Context-managed connection."""
    con = open_store(home, settings, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def salt(home: Path) -> str:
    """Per-data-folder secret salt for masking identifiers (created once, never printed)."""
    path = home / SALT_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()
