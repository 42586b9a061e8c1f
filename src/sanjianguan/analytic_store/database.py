"""Opening the analytic store (DuckDB file `<home>/store.duckdb`)."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from sanjianguan.analytic_store import line_ranges, segments
from sanjianguan.analytic_store.ddl import all_ddl, has_table
from sanjianguan.config import Settings
from sanjianguan.errors import StoreBusyError, StoreError

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
# DuckDB's words for a file lock held by another process (a writer, or readers when we write).
LOCK_MARKERS = ("Could not set lock", "Conflicting lock")
RETRY_FIRST, RETRY_MAX = 0.05, 0.5  # seconds between attempts: doubling from the first to the max

WaitFn = Callable[[float], None]


def open_store(
    home: Path,
    settings: Settings,
    *,
    read_only: bool = False,
    wait: float | None = None,
    on_wait: WaitFn | None = None,
) -> duckdb.DuckDBPyConnection:
    """Connect to the store of a data folder, creating it (and its schema) on first use.

    DuckDB lets one process write or several read a file. An open that meets a lock held by
    another process retries for `wait` seconds (default `[store] lock_wait_seconds`), calling
    `on_wait(seconds left)` once when it starts waiting, then raises StoreBusyError.
    """
    path = home / STORE_FILE
    if read_only and not path.exists():
        raise StoreError(f"数据目录中没有库 / no store in {home}: run `sjg ingest` or `sjg kb load` first")
    home.mkdir(parents=True, exist_ok=True)
    budget = settings.store.lock_wait_seconds if wait is None else wait
    con = _connect(path, read_only=read_only, wait=budget, on_wait=on_wait)
    con.execute(f"SET memory_limit = '{settings.ingest.memory_limit}'")
    con.execute(f"SET threads = {int(settings.ingest.threads)}")
    con.execute("SET preserve_insertion_order = false")
    if read_only:
        segments.follow_home(con)
    else:
        ensure_schema(con)
    return con


def _connect(
    path: Path, *, read_only: bool, wait: float, on_wait: WaitFn | None
) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect`, retried while another process holds a conflicting lock (bounded).

    A writer that has to wait leaves a marker (`store.duckdb.writer`, its PID) until it gets
    in; readers hold back while the marker names a live process, so a stream of short reads
    (API requests) cannot starve the writer (an ingest).
    """
    deadline = time.monotonic() + wait
    pause = RETRY_FIRST
    marker = writer_marker(path)
    try:
        while True:
            blocked = read_only and writer_waiting(marker)
            if not blocked:
                try:
                    if not path.exists():
                        _create(path)
                    return duckdb.connect(str(path), read_only=read_only)
                except duckdb.IOException as exc:
                    if not is_lock_conflict(exc):
                        raise StoreError(f"无法打开库 / cannot open store {path}: {exc}") from exc
                    reason = str(exc)
                if not read_only:
                    marker.write_text(str(os.getpid()), encoding="ascii")
            else:
                reason = "a writer is waiting"
            left = deadline - time.monotonic()
            if left <= 0:
                raise StoreBusyError(
                    f"库正被其他进程占用（已等待 {wait:g} 秒）/ the store {path} is in use by another "
                    f"process (waited {wait:g} s): {reason}",
                    waited=wait,
                )
            if on_wait is not None and pause == RETRY_FIRST:
                on_wait(left)
            time.sleep(min(pause, left))
            pause = min(pause * 2, RETRY_MAX)
    finally:
        if not read_only and _marker_pid(marker) == os.getpid():
            marker.unlink(missing_ok=True)


def writer_marker(path: Path) -> Path:
    """The file a waiting writer leaves beside the store."""
    return path.with_name(path.name + ".writer")


def writer_waiting(marker: Path) -> bool:
    """Whether a live process (not this one) is waiting to write the store."""
    pid = _marker_pid(marker)
    if pid is None or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False  # a writer killed while waiting: its marker means nothing
    except PermissionError:
        return True  # alive, another user's
    return True


def _marker_pid(marker: Path) -> int | None:
    try:
        return int(marker.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def is_lock_conflict(exc: BaseException) -> bool:
    """Whether a DuckDB error is a file lock held by another process (retrying may succeed)."""
    return isinstance(exc, duckdb.IOException) and any(m in str(exc) for m in LOCK_MARKERS)


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
    con.execute(segments.CATALOG_UPGRADE)
    segments.refresh_view(con)
    line_ranges.ensure(con)
    segments.sweep_orphans(con)
    con.execute(
        "INSERT INTO meta VALUES ('schema_version', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [SCHEMA_VERSION],
    )


def _rename_fee_table(con: duckdb.DuckDBPyConnection) -> None:
    """Schema 1 stored fee lines in a table `fee_items`; it is `fee_lines` now (same columns)."""
    if has_table(con, segments.VIEW):
        con.execute(f"ALTER TABLE {segments.VIEW} RENAME TO {segments.NATIVE_TABLE}")


def salt(home: Path) -> str:
    """Per-data-folder secret salt for masking identifiers (created once, never printed)."""
    path = home / SALT_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction of the store: committed when the block ends, rolled back when it
    raises anything (Ctrl-C included), so that a result is stored whole or not at all."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
