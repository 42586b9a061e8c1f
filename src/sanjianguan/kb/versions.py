"""Knowledge-base versions (知识库版本): writing, listing and fingerprinting them.

Every load writes a complete new version of every reference table (`kb_<ref>` rows
tagged with `kb_version`), so that a rule run can always say which knowledge it
used and an old version stays readable. The views `<ref>` show the current version
(the highest number in `kb_versions`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import pyarrow as pa

from sanjianguan.contract.schema import REF_TABLES, Table
from sanjianguan.errors import KnowledgeBaseError

TextRow = Sequence[str | None]
"""One reference row as normalised text, in the table's column order (None = empty)."""

_INCOMING = "_kb_incoming"


@dataclass(frozen=True)
class ExtraCell:
    """One non-empty cell of a column the platform does not know (未知列), kept aside."""

    table: str
    file: str
    row: int
    column: str
    value: str


@dataclass(frozen=True)
class KbVersion:
    """One row of `kb_versions` (知识库版本记录)."""

    kb_version: int
    loaded_at: dt.datetime
    source: str
    checksum: str
    note: str


@dataclass(frozen=True)
class TableChange:
    """How one reference table came into a version: `replaced`, `merged` or `carried`."""

    table: str
    mode: str
    rows_given: int
    rows_total: int


@dataclass(frozen=True)
class VersionResult:
    """Outcome of writing a version; `created` is False when the content was unchanged."""

    version: int
    created: bool
    previous: int | None
    checksum: str
    tables: tuple[TableChange, ...]


def current_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The current knowledge-base version (当前版本), None before the first load."""
    row = con.execute("SELECT max(kb_version) FROM kb_versions").fetchone()
    return int(row[0]) if row and row[0] is not None else None


def list_versions(con: duckdb.DuckDBPyConnection) -> list[KbVersion]:
    """Every version, oldest first."""
    rows = con.execute(
        "SELECT kb_version, loaded_at, source, checksum, note FROM kb_versions ORDER BY kb_version"
    ).fetchall()
    return [KbVersion(int(r[0]), r[1], r[2] or "", r[3] or "", r[4] or "") for r in rows]


def version_counts(con: duckdb.DuckDBPyConnection, version: int | None = None) -> dict[str, int]:
    """Row count per reference table in one version (default: the current one)."""
    version = current_version(con) if version is None else version
    known = {v.kb_version for v in list_versions(con)}
    if version is None or version not in known:
        raise KnowledgeBaseError(f"知识库版本不存在 / no knowledge-base version {version}")
    counts = {}
    for name in REF_TABLES:
        row = con.execute(f"SELECT count(*) FROM kb_{name} WHERE kb_version = ?", [version]).fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts


def write_version(
    con: duckdb.DuckDBPyConnection,
    content: Mapping[str, Sequence[TextRow]],
    *,
    merge: bool,
    source: str,
    note: str = "",
    extras: Sequence[ExtraCell] = (),
) -> VersionResult:
    """Write a new version in one transaction; tables not in `content` are carried over.

    With `merge`, the given rows are upserted by key into a copy of the previous
    version's table instead of replacing it. Nothing is written when the resulting
    content is identical to the current version (a reload is idempotent). `extras`
    (cells of unknown columns) are kept aside in `kb_extra_columns` with the new version.
    """
    for name, rows in content.items():
        _check_unique_keys(REF_TABLES[name], rows)
    previous = current_version(con)
    new = (previous or 0) + 1
    con.begin()
    try:
        changes = tuple(_write_table(con, t, content.get(t.name), previous, new, merge) for t in _tables())
        checksum = content_checksum(con, new)
        if previous is not None and checksum == content_checksum(con, previous):
            con.rollback()
            return VersionResult(previous, False, previous, checksum, changes)
        con.execute(
            "INSERT INTO kb_versions VALUES (?, ?, ?, ?, ?)",
            [new, dt.datetime.now(), source, checksum, note],
        )
        if extras:
            con.executemany(
                "INSERT INTO kb_extra_columns VALUES (?, ?, ?, ?, ?, ?)",
                [[new, e.table, e.file, e.row, e.column, e.value] for e in extras],
            )
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return VersionResult(new, True, previous, checksum, changes)


def content_checksum(con: duckdb.DuckDBPyConnection, version: int) -> str:
    """SHA-256 of one version's content: every table, its columns and its rows in key order."""
    digest = hashlib.sha256()
    for table in _tables():
        cols = ", ".join(table.column_names)
        digest.update(f"#{table.name}({cols})\n".encode())
        # Keys are unique within a version, so ordering by every column is a total order.
        cursor = con.execute(
            f"SELECT {cols} FROM kb_{table.name} WHERE kb_version = ? ORDER BY {cols}", [version]
        )
        while batch := cursor.fetchmany(10_000):
            for row in batch:
                digest.update(("\t".join(_canonical(v) for v in row) + "\n").encode())
    return digest.hexdigest()


def _tables() -> tuple[Table, ...]:
    return tuple(REF_TABLES.values())


def _canonical(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _check_unique_keys(table: Table, rows: Sequence[TextRow]) -> None:
    # The loader and the importers deduplicate; this guards the store against a caller that does not.
    positions = [table.column_names.index(k) for k in table.key]
    seen: set[tuple[str | None, ...]] = set()
    for row in rows:
        key = tuple(row[i] for i in positions)
        if key in seen:
            raise KnowledgeBaseError(f"{table.name}: 主键重复 / duplicate key {key}")
        seen.add(key)


def _write_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    rows: Sequence[TextRow] | None,
    previous: int | None,
    new: int,
    merge: bool,
) -> TableChange:
    if rows is None:
        _copy_previous(con, table, previous, new, exclude_given=False)
    else:
        _register_incoming(con, table, rows)
        try:
            if merge:
                _copy_previous(con, table, previous, new, exclude_given=True)
            casts = ", ".join(f"CAST({c.name} AS {c.type.sql})" for c in table.columns)
            con.execute(f"INSERT INTO kb_{table.name} SELECT {casts}, {new} FROM {_INCOMING}")
        finally:
            con.unregister(_INCOMING)
    total = con.execute(f"SELECT count(*) FROM kb_{table.name} WHERE kb_version = ?", [new]).fetchone()
    mode = "carried" if rows is None else ("merged" if merge else "replaced")
    return TableChange(table.name, mode, len(rows or ()), int(total[0]) if total else 0)


def _register_incoming(con: duckdb.DuckDBPyConnection, table: Table, rows: Sequence[TextRow]) -> None:
    # Text in, typed by DuckDB's casts: one code path for every source format.
    arrays = [pa.array([row[i] for row in rows], pa.string()) for i in range(len(table.columns))]
    con.register(_INCOMING, pa.Table.from_arrays(arrays, names=list(table.column_names)))


def _copy_previous(
    con: duckdb.DuckDBPyConnection, table: Table, previous: int | None, new: int, *, exclude_given: bool
) -> None:
    """Copy the previous version's rows, minus those whose key is given (an upsert)."""
    if previous is None:
        return
    cols = ", ".join(f"p.{c}" for c in table.column_names)
    where = "p.kb_version = ?"
    if exclude_given:
        match = " AND ".join(f"i.{k} = p.{k}" for k in table.key)
        where += f" AND NOT EXISTS (SELECT 1 FROM {_INCOMING} i WHERE {match})"
    con.execute(
        f"INSERT INTO kb_{table.name} SELECT {cols}, {new} FROM kb_{table.name} p WHERE {where}", [previous]
    )
