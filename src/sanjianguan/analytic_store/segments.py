"""Fee lines kept as Parquet segments (费用明细分段存储).

Fee lines are most of a region's data (a city month is about 40 million). A clean
Parquet batch whose fee-line file already has the contract's exact shape is not copied
row by row into a DuckDB table: once validation has proved every line good, the file's
lines are written once, each with its institution (机构, from its encounter) beside them,
into the data folder as a *segment*:

    <home>/segments/fee_items/period=YYYY-MM/batch_id=<batch>/fee_items.parquet

Every other fee line (CSV, xlsx, aliased headers, other types, untrimmed text, batches
with quarantined lines or with lines of encounters of another month) goes to the native
table `fee_lines`, as before. Readers never see the difference: `fee_items` is a view,
the native rows UNION ALL the segments, whose other store-only columns are derived
exactly as the loader derives them for native rows (period and `batch_id` from the path,
`item_code` from the code map when not reported, `item_code_source`). Because the code
map is applied when a segment is read, loading a map re-maps segment lines by itself.

Why the institution is written: a segment line read through its encounter costs a join
of every line on every reading, about 2.5 s on a city month, up to nine times in one
analysis. Segments kept before (the file as sent, catalogued with `carries_institution`
false) are still read through their encounters.

The catalogue `fee_segments` (one row per segment) is changed inside the batch's
transaction, and the view is rebuilt from it there; files are the one thing outside
the transaction, so `SegmentChanges` deletes a new file when its transaction rolls back
and an obsolete one only after its transaction commits. A file that belongs to no
catalogue row (left by a crash) is swept at the next write open.

Paths in the catalogue are relative to the data folder, so a data folder can be moved;
the view reads them as absolute paths (数据目录的绝对路径), so the store opens from any
working directory and with any DuckDB client or cursor, none of which needs a setting.
Every write open rebuilds the view from where the folder is now; a read-only open of a
folder moved since then shadows it with a temporary view over the same files
(`follow_home`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from sanjianguan.analytic_store.ddl import has_table, native_table, store_columns
from sanjianguan.contract.files import sql_literal
from sanjianguan.contract.schema import FEE_ITEMS

VIEW = FEE_ITEMS.name
NATIVE_TABLE = native_table(VIEW)
SEGMENT_ROOT = Path("segments") / "fee_items"
SEGMENT_FILE = "fee_items.parquet"

CATALOG_DDL = """CREATE TABLE IF NOT EXISTS fee_segments (
  batch_id VARCHAR PRIMARY KEY,
  period VARCHAR,
  path VARCHAR,              -- relative to the data folder
  rows BIGINT,
  institutions VARCHAR[],    -- institutions whose lines the file holds
  created_at TIMESTAMP,
  carries_institution BOOLEAN DEFAULT false  -- the file holds each line's institution_id
)"""
# Stores made before segments carried their institution: their segments are read as before.
CATALOG_UPGRADE = (
    "ALTER TABLE fee_segments ADD COLUMN IF NOT EXISTS carries_institution BOOLEAN DEFAULT false"
)
# How the loader writes a segment: zstd and row groups of a million lines keep it as small
# as the file sent (a city month: 283 MB against 298 MB). The compression hardly changes
# the writing time (about 20 s a city month, docs/benchmarks.md): encoding is the cost.
WRITE_OPTIONS = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1048576"


# Store-only columns of a segment line, derived on read as the loader derives them
# (`institution` is where the line's institution comes from: the file, or its encounter).
def _derived(name: str, institution: str) -> str:
    if name == "institution_id":
        return institution
    if name == "item_code":
        return "COALESCE(f.item_code, m.item_code)"
    if name == "item_code_source":
        return (
            "CASE WHEN f.item_code IS NOT NULL THEN 'reported' WHEN m.item_code IS NOT NULL THEN 'mapped' END"
        )
    return f"f.{name}"


_ENCOUNTER = "e.encounter_id = f.encounter_id AND e.period = f.period"


@dataclass(frozen=True)
class Segment:
    """A catalogued segment: its path (relative to the data folder) and whether the file
    holds each line's institution (else the line takes it from its encounter)."""

    path: str
    carries_institution: bool


def home_of(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The data folder of a store connection (None for an in-memory database)."""
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return Path(row[0]).resolve().parent if row and row[0] else None


def follow_home(con: duckdb.DuckDBPyConnection) -> None:
    """A read-only connection to a data folder moved since its last write open: a temporary
    `fee_items` over the segments where they are now shadows the stored view."""
    home = home_of(con)
    if home is None or not has_table(con, "fee_segments"):
        return
    catalogued = _catalogued(con)
    row = con.execute(
        "SELECT sql FROM duckdb_views() WHERE view_name = ? AND schema_name = 'main' AND NOT temporary",
        [VIEW],
    ).fetchone()
    if row is not None and all(_located(home, s.path) in str(row[0]) for s in catalogued):
        return
    con.execute(view_sql(catalogued, home, temporary=True))


def view_sql(catalogued: list[Segment], home: Path | None = None, *, temporary: bool = False) -> str:
    """`CREATE OR REPLACE VIEW fee_items`: native lines, then every segment (paths relative to
    `home`; the view reads them as absolute paths). Segments that carry their institution
    are read as they are; older ones through their encounters."""
    columns = [name for name, _ in store_columns(FEE_ITEMS)]
    native = f"SELECT {', '.join(columns)} FROM {NATIVE_TABLE}"
    parts = [f"CREATE OR REPLACE {'TEMP ' if temporary else ''}VIEW {VIEW} AS {native}"]
    for carrying in (True, False):
        paths = [s.path for s in catalogued if s.carries_institution is carrying]
        if not paths:
            continue
        institution = "f.institution_id" if carrying else "e.institution_id"
        exprs = ", ".join(f"{_derived(name, institution)} AS {name}" for name in columns)
        files = ", ".join(sql_literal(_located(home, p)) for p in paths)
        encounter = "" if carrying else f"JOIN encounters e ON {_ENCOUNTER} "
        parts.append(
            f"SELECT {exprs} FROM read_parquet([{files}], hive_partitioning = true, "
            "hive_types = {'period': VARCHAR, 'batch_id': VARCHAR}) f "
            f"{encounter}LEFT JOIN code_map m ON m.institution_id = {institution} "
            "AND m.local_code = f.local_code"
        )
    return " UNION ALL ".join(parts)


def _located(home: Path | None, path: str) -> str:
    return (home / path).as_posix() if home is not None else path


def _catalogued(con: duckdb.DuckDBPyConnection) -> list[Segment]:
    rows = con.execute("SELECT path, carries_institution FROM fee_segments ORDER BY path").fetchall()
    return [Segment(str(path), bool(carries)) for path, carries in rows]


def refresh_view(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild `fee_items` from the catalogue (inside the caller's transaction, if any)."""
    con.execute(view_sql(_catalogued(con), home_of(con)))


def segment_path(period: str, batch_id: str) -> Path:
    """Where a batch's segment lives, relative to the data folder."""
    return SEGMENT_ROOT / f"period={period}" / f"batch_id={batch_id}" / SEGMENT_FILE


@dataclass
class SegmentChanges:
    """Files a transaction created or made obsolete, settled when it ends."""

    home: Path
    created: list[Path] = field(default_factory=list)
    obsolete: list[Path] = field(default_factory=list)

    def committed(self) -> None:
        for path in self.obsolete:
            _remove(self.home / path)

    def rolled_back(self) -> None:
        for path in self.created:
            _remove(self.home / path)


def _remove(file: Path) -> None:
    file.unlink(missing_ok=True)
    for folder in (file.parent, file.parent.parent):  # batch_id=…, then period=… when empty
        try:
            folder.rmdir()
        except OSError:
            break


def write_segment(
    con: duckdb.DuckDBPyConnection, changes: SegmentChanges, lines: str, *, batch_id: str, period: str
) -> tuple[Path, int]:
    """Write the rows of the query `lines` as the batch's segment file (in the transaction:
    the file goes if it rolls back); return its path, relative to the data folder, and its rows."""
    relative = segment_path(period, batch_id)
    target = changes.home / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    changes.created.append(relative)
    return relative, _write(con, lines, target)


def _write(con: duckdb.DuckDBPyConnection, lines: str, target: Path) -> int:
    row = con.execute(f"COPY ({lines}) TO {sql_literal(target.as_posix())} ({WRITE_OPTIONS})").fetchone()
    return int(row[0]) if row else 0


def discard_segment(changes: SegmentChanges, relative: Path) -> None:
    """A written file the batch does not keep after all (its lines go the row path)."""
    _remove(changes.home / relative)
    changes.created.remove(relative)


def add_segment(
    con: duckdb.DuckDBPyConnection,
    relative: Path,
    *,
    batch_id: str,
    period: str,
    rows: int,
    institutions: list[str],
) -> None:
    """Catalogue a written segment (it carries its institution) and show it in `fee_items`."""
    con.execute(
        "INSERT INTO fee_segments (batch_id, period, path, rows, institutions, created_at, "
        "carries_institution) VALUES (?, ?, ?, ?, ?, ?, true)",
        [batch_id, period, relative.as_posix(), rows, institutions, datetime.now().replace(microsecond=0)],
    )
    refresh_view(con)


def replace_period(
    con: duckdb.DuckDBPyConnection, changes: SegmentChanges, institutions: list[str], period: str
) -> None:
    """Remove the lines of `institutions` in `period` held in segments (a `full` batch replaces them).

    A segment that holds only those institutions goes; one that also holds others keeps
    its other lines by moving them to the native table first. Call this before the
    encounters are deleted: older segments' lines are read through their encounters. Files go
    when the transaction commits.
    """
    replaced = set(institutions)
    rows = con.execute(
        "SELECT batch_id, institutions FROM fee_segments WHERE period = ? AND list_has_any(institutions, ?)",
        [period, institutions],
    ).fetchall()
    for batch_id, held in rows:
        if not set(held) <= replaced:
            con.execute(
                f"INSERT INTO {NATIVE_TABLE} BY NAME SELECT * FROM {VIEW} "
                "WHERE batch_id = ? AND institution_id NOT IN (SELECT unnest(?::VARCHAR[]))",
                [batch_id, institutions],
            )
        [(path,)] = con.execute(
            "DELETE FROM fee_segments WHERE batch_id = ? RETURNING path", [batch_id]
        ).fetchall()
        changes.obsolete.append(Path(str(path)))
    if rows:
        refresh_view(con)


def sweep_orphans(con: duckdb.DuckDBPyConnection) -> list[Path]:
    """Delete segment files no catalogue row names (a load that crashed before it ended)."""
    home = home_of(con)
    if home is None or not (home / SEGMENT_ROOT).exists():
        return []
    known = {str(r[0]) for r in con.execute("SELECT path FROM fee_segments").fetchall()}
    orphans = [
        p.relative_to(home)
        for p in (home / SEGMENT_ROOT).glob(f"period=*/batch_id=*/{SEGMENT_FILE}")
        if p.relative_to(home).as_posix() not in known
    ]
    for relative in orphans:
        _remove(home / relative)
    return orphans
