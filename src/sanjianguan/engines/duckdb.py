"""The embedded default engine: rules and indicators run inside the DuckDB store itself.

Views declared `materialised` are built once per run, where their size says:

- a view reading fewer than `FILE_ROWS` rows becomes a table of the engine's own in-memory
  database (`ATTACH ':memory:'`): a county month's views, built and read fastest there;
- a larger one becomes Parquet files (lz4) in a folder of the engine's own
  (`<data folder>/scratch/views-<pid>-<id>/`, the system's temporary folder for a store in
  memory), outside DuckDB's memory limit. A city month's fee lines take 27 s and 750 MB
  on disk this way; as a compressed in-memory table they took 40 s to insert (spilling
  beyond the 3 GB limit) and 43 s to compress (docs/benchmarks.md, tenth round).

Either is read through a temp view of the view's name, and dropped or deleted when the
run releases it (`release_view`) or the engine closes; never written to the store, which
may be open read-only. A run that is killed leaves its folder behind: the next engine on
the same data folder deletes every folder whose process has ended. Parquet files carry
no distinct counts, so the planner's join estimates over them are rougher: rules gather
their hits' lines through semi-joins (docs/rules.md).

Views `partitioned_by` a key are built slice by slice (see `sanjianguan.queries.views`),
one statement (and file) per slice, when their SQL collects lists (`list`, `array_agg`,
`string_agg`): DuckDB spills a hash aggregate of sums to disk beyond its memory limit, but
not the lists of a city month's line ids. Without lists a view is built in one pass,
since each slice reads the whole source again: the city month's `p_fee_net` took 84 s in
13 slices, 32 s in one.

A materialised view the run reads only once stays a plain view, unless it would be built
in more than one slice: the slices bound a city month's memory, and one reading costs no
more as a table.

A small run (every built view in memory) runs its queries `READERS` at a time, at most
DuckDB's threads (`run_all`), each on a cursor of its own: a query over a county month keeps
two cores only partly busy (its scans are one or two row groups), and the county catalogue
took 1.30 s instead of 1.60 s (medians of six fresh processes, docs/benchmarks.md). A
cursor is a new connection to the same database: it sees the store and the in-memory
database, but not the temp views, which are made again on it, nor the session's time zone,
set again, nor the work of a transaction not yet committed. A run in such a transaction, or
with a temp table named like a store table, runs one query at a time. A large run's queries
use every core each, and two at once would only share the memory limit (a city month took
longer and peaked above 4 GB): they run one after another.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot
from duckdb.sqltypes import DuckDBPyType
from sqlglot import exp

from sanjianguan.analytic_store.segments import home_of
from sanjianguan.contract.files import sql_literal
from sanjianguan.engines.base import TIME_ZONE, Engine, Rows, T, ViewDeclaration, in_threads

# Fee lines per slice when an aggregate view is built slice by slice: a month of a
# city (tens of millions of lines) aggregated in one hash table, with its lists of line
# ids, does not fit a few GB of memory; slices of this size do, on 2 cores.
ROWS_PER_PARTITION = 4_000_000
# Rows read (the largest input of the view's plan, as DuckDB estimates it from table and
# Parquet row counts) from which a built view is written to Parquet files; below, it is a
# table of an in-memory database. A county month's views (240 000 lines) as files made its
# catalogue 0.3–0.5 s slower; a city month's (52 million) as tables spilled beyond the
# memory limit and took 83 s to build and compress, against 27 s as a file.
FILE_ROWS = 2_000_000
# Where built views are written, under the data folder (数据目录下的临时文件夹).
SCRATCH = "scratch"
_FOLDER_PREFIX = "views-"
# lz4 writes as fast as no compression (29 s for a city month's fee lines) at a third of
# the size (750 MB against 2.1 GB); zstd halves that again but writes 10 % slower.
VIEW_FILE_OPTIONS = "FORMAT parquet, COMPRESSION lz4_raw"
# Queries of a small run in flight at once, when DuckDB has that many threads: on 2 cores a
# county month's catalogue took 0.69–0.89 s with 2, 0.63–0.82 s with 4 and 0.97–1.02 s with
# 1 (three warm runs each in one process); more would only queue on the cores.
READERS = 4
# Rows converted at a time by `fetch` (all of them are returned).
FETCH_ROWS = 100_000
# DuckDB type ids whose values Arrow converts to the same Python objects as DuckDB does.
_ARROW_ALIKE = frozenset(
    {
        "varchar",
        "boolean",
        "tinyint",
        "smallint",
        "integer",
        "bigint",
        "double",
        "decimal",
        "date",
        "timestamp",
    }
)


class DuckDBEngine(Engine):
    """Runs compiled rules on an open store connection (its views are never persisted)."""

    name = "duckdb"
    dialect = "duckdb"

    def __init__(
        self, con: duckdb.DuckDBPyConnection, *, rows_per_partition: int = ROWS_PER_PARTITION
    ) -> None:
        self.con = con
        self.rows_per_partition = rows_per_partition
        # The in-memory database and the folder holding built views, made when first
        # needed, and the views built now: name → True when in files, False in a table.
        self._scratch: str | None = None
        self._folder: Path | None = None
        self._built: dict[str, bool] = {}
        # The cursor of each `run_all` thread (the engine's own connection elsewhere).
        self._local = threading.local()
        con.execute(f"SET TimeZone = '{TIME_ZONE}'")

    def _create_view(self, view: ViewDeclaration, sql: str) -> None:
        name = view.name
        slices = self._slice_count(view, sql) if view.materialised else 1
        plain = not view.materialised or (view.read_once and slices == 1)
        self._drop_built(name)  # built by an earlier run of this engine
        if plain:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")
            return
        # A materialised view is computed once per run instead of once per reading query.
        # Building it needs no row order (files are then written in parallel).
        parts = _slices(view, sql, slices)
        in_files = self.rows_read(sql) >= FILE_ROWS
        self._built[name] = in_files
        self.con.execute("SET preserve_insertion_order = false")
        try:
            source = self._write_files(name, parts) if in_files else self._write_table(name, parts)
        finally:
            self.con.execute("RESET preserve_insertion_order")
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {source}")

    def rows_read(self, sql: str) -> int:
        """The largest row count DuckDB's plan of `sql` estimates for any of its operators:
        the rows of its largest input, read from table and Parquet metadata (a join's or
        an aggregate's own estimate may be far off; a scan's is not)."""
        plan = self.con.execute(f"EXPLAIN (FORMAT json) {sql}").fetchall()[0][1]
        return max((_largest_estimate(node) for node in json.loads(plan)), default=0)

    def _write_files(self, name: str, parts: list[str]) -> str:
        """Write the view's parts as Parquet files; the SQL reading them."""
        files = self._scratch_folder() / name
        files.mkdir()
        for k, part in enumerate(parts):
            target = sql_literal(str(files / f"{k}.parquet"))
            self.con.execute(f"COPY ({part}) TO {target} ({VIEW_FILE_OPTIONS})")
        return f"read_parquet({sql_literal(str(files / '*.parquet'))})"

    def _write_table(self, name: str, parts: list[str]) -> str:
        """Write the view's parts to a table of the in-memory database; the table's name."""
        table = f"{self._scratch_database()}.main.{name}"
        for k, part in enumerate(parts):
            self.con.execute(
                f"CREATE OR REPLACE TABLE {table} AS {part}" if k == 0 else f"INSERT INTO {table} {part}"
            )
        return table

    def release_view(self, name: str) -> None:
        """Drop a built view's table or files and its temp view (a later reading fails by name)."""
        if name in self._built:
            self._drop_built(name)
            self.con.execute(f"DROP VIEW IF EXISTS {name}")

    def _drop_built(self, name: str) -> None:
        in_files = self._built.pop(name, None)
        if in_files and self._folder is not None:
            shutil.rmtree(self._folder / name, ignore_errors=True)
        elif in_files is False:
            self.con.execute(f"DROP TABLE IF EXISTS {self._scratch}.main.{name}")

    def _scratch_database(self) -> str:
        """The name of the engine's in-memory database, attached on first use (writable even
        when the store is opened read-only)."""
        if self._scratch is None:
            name = f"sjg_scratch_{uuid.uuid4().hex[:12]}"
            self.con.execute(f"ATTACH ':memory:' AS {name} (READ_WRITE)")
            self._scratch = name
        return self._scratch

    def _scratch_folder(self) -> Path:
        """The engine's folder for built views, made on first use (under the data folder, else
        the system's temporary folder). Folders left by runs whose process has ended
        (killed) are deleted first."""
        if self._folder is None:
            home = home_of(self.con)
            fallback = Path(tempfile.gettempdir()) / "sanjianguan"
            parent = home / SCRATCH if home else fallback
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError:  # a data folder on a read-only disk: the system's temporary folder
                parent = fallback
                parent.mkdir(parents=True, exist_ok=True)
            sweep_ended_runs(parent)
            self._folder = parent / f"{_FOLDER_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
            self._folder.mkdir()
        return self._folder

    def close(self) -> None:
        """Drop the built views' temp views, detach the in-memory database and delete the
        folder of the built views."""
        # A connection closed first took its views and databases with it.
        with contextlib.suppress(duckdb.Error):
            for name in self._built:
                self.con.execute(f"DROP VIEW IF EXISTS {name}")
        if self._scratch is not None:
            with contextlib.suppress(duckdb.Error):
                self.con.execute(f"DETACH DATABASE IF EXISTS {self._scratch}")
            self._scratch = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        self._built.clear()

    def run_all(self, tasks: Sequence[Callable[[], T]]) -> Iterator[T]:
        """The results of `tasks` in their order: up to `readers_at_once()` running at once,
        each thread reading through a cursor of its own."""
        readers = self.readers_at_once() if len(tasks) > 1 else 1
        if readers < 2:
            yield from super().run_all(tasks)
            return
        cursors: list[duckdb.DuckDBPyConnection] = []
        views = self._temp_views()

        def open_reader() -> None:
            cursors.append(self._open_reader(views))

        try:
            yield from in_threads(tasks, readers, name="sjg-duckdb", initializer=open_reader)
        finally:
            for cursor in cursors:
                cursor.close()

    def readers_at_once(self) -> int:
        """How many queries of the run may run at once: `READERS` (at most DuckDB's threads)
        when every view built now is in memory; else 1 (a view in files, none built, a
        transaction open, or a temp table hiding a store table)."""
        small = bool(self._built) and not any(self._built.values())
        if not small or self._in_transaction() or self._shadowed_tables():
            return 1
        row = self.con.execute("SELECT current_setting('threads')").fetchone()
        return min(READERS, int(row[0]) if row else 1)

    def _in_transaction(self) -> bool:
        """Whether the connection is inside a transaction (its uncommitted work is its own):
        outside one, each statement runs in a transaction of its own, with its own id."""
        ids = [self.con.execute("SELECT txid_current()").fetchone() for _ in range(2)]
        return ids[0] == ids[1]

    def _shadowed_tables(self) -> list[str]:
        """Temp tables of the connection named like a table or view of another database: a
        cursor would read the other one."""
        rows = self.con.execute(
            "SELECT t.table_name FROM duckdb_tables() t WHERE t.temporary AND t.table_name IN "
            "(SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
            "UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT temporary AND NOT internal)"
        ).fetchall()
        return [str(r[0]) for r in rows]

    def _temp_views(self) -> list[str]:
        """The statements creating the connection's temp views, oldest first."""
        rows = self.con.execute(
            "SELECT sql FROM duckdb_views() WHERE temporary AND NOT internal ORDER BY view_oid"
        ).fetchall()
        return [str(r[0]) for r in rows]

    def _open_reader(self, views: list[str]) -> duckdb.DuckDBPyConnection:
        """A cursor for the calling thread, with the connection's time zone and temp views."""
        cursor = self.con.cursor()
        cursor.execute(f"SET TimeZone = '{TIME_ZONE}'")
        _replay(cursor, views)
        self._local.con = cursor
        return cursor

    def _reader(self) -> duckdb.DuckDBPyConnection:
        """The connection queries of the calling thread go through."""
        con: duckdb.DuckDBPyConnection = getattr(self._local, "con", self.con)
        return con

    def _slice_count(self, view: ViewDeclaration, sql: str) -> int:
        """How many slices the view is built in: 1 unless it may be sliced and collects
        lists; then its source's rows / rows per slice. (A view read once stays plain
        only when built in one slice: its reader then computes only what it keeps.)"""
        if view.partitioned_by is None or not collects_lists(sql):
            return 1
        row = self.con.execute(f"SELECT count(*) FROM {view.partitioned_by[0]}").fetchone()
        return max(1, math.ceil((int(row[0]) if row else 0) / self.rows_per_partition))

    def fetch(self, sql: str) -> tuple[list[str], Rows]:
        columns, batches = self.fetch_batches(sql, FETCH_ROWS)
        return columns, [row for rows in batches for row in rows]

    def fetch_batches(self, sql: str, size: int) -> tuple[list[str], Iterator[Rows]]:
        """The rows through Arrow when every column's type converts to the same Python values
        as DuckDB's own fetch (`arrow_converts_alike`), else through that fetch: lists of
        text and decimals come out of Arrow several times faster (T07's 12.5 M listed ids
        on a city month: 5.1 s → 1.7–2.0 s, docs/benchmarks.md)."""
        cursor = self._reader().execute(sql)
        description = cursor.description or []
        columns = [d[0] for d in description]
        if all(arrow_converts_alike(d[1]) for d in description):
            return columns, _arrow_rows(cursor.to_arrow_reader(size))
        return columns, iter(partial(cursor.fetchmany, size), [])


def arrow_converts_alike(duckdb_type: DuckDBPyType) -> bool:
    """Whether a column of this DuckDB type becomes the same Python values through Arrow as
    through DuckDB's own fetch: text, booleans, signed integers up to BIGINT, DOUBLE,
    DECIMAL, DATE, TIMESTAMP, and lists of these. Not so: HUGEINT (Arrow: a Decimal,
    DuckDB: an int), INTERVAL, MAP, time zones, nanoseconds, ..."""
    if duckdb_type.id == "list":
        child = dict(duckdb_type.children)["child"]
        return isinstance(child, DuckDBPyType) and arrow_converts_alike(child)
    return duckdb_type.id in _ARROW_ALIKE


def _arrow_rows(reader: pa.RecordBatchReader) -> Iterator[Rows]:
    """The rows of each non-empty Arrow record batch, converted column by column."""
    for batch in reader:
        if batch.num_rows:
            yield list(zip(*(column.to_pylist() for column in batch.columns), strict=True))


def _replay(cursor: duckdb.DuckDBPyConnection, views: list[str]) -> None:
    """Create the temp views `views` on `cursor`, each once those it reads exist.

    A view replaced later than one reading it comes after it in `views`, hence the rounds. A
    view still failing when a round creates none reads what is gone (a view released by
    an earlier run, a database an earlier engine detached) and fails on the engine's
    connection too, or reads a temp table, which no cursor sees: no query of this run reads
    it, and one that did would fail on the cursor by the view's name."""
    pending = views
    while pending:
        failed = []
        for sql in pending:
            try:
                cursor.execute(sql)
            except duckdb.Error:
                failed.append(sql)
        if len(failed) == len(pending):
            return
        pending = failed


def _slices(view: ViewDeclaration, sql: str, slices: int) -> list[str]:
    """The view's SQL, or its SQL for each slice of its source by hash of its grouping key.

    Every group of the view lies in one slice, so the union of the slices' results is
    exactly the view's result, with one slice's hash table in memory at a time.
    """
    if slices == 1 or view.partitioned_by is None:
        return [sql]
    source, key = view.partitioned_by
    return [_restrict(sql, source, f"hash({key}) % {slices} = {k}") for k in range(slices)]


def _largest_estimate(node: dict[str, Any]) -> int:
    estimate = str(node.get("extra_info", {}).get("Estimated Cardinality", "0"))
    own = int(estimate) if estimate.isdigit() else 0
    return max([own, *(_largest_estimate(child) for child in node.get("children", []))])


def collects_lists(sql: str) -> bool:
    """Whether `sql` (DuckDB) aggregates values into lists or strings, which do not spill."""
    tree = sqlglot.parse_one(sql, dialect="duckdb")
    return tree.find(exp.ArrayAgg, exp.GroupConcat) is not None


def _restrict(sql: str, source: str, condition: str) -> str:
    """`sql` with every read of table `source` replaced by its rows meeting `condition`."""

    def replace(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Table) and node.name == source and not node.args.get("db"):
            alias = node.alias or source
            subquery = sqlglot.parse_one(f"SELECT * FROM {source} WHERE {condition}", dialect="duckdb")
            return exp.Subquery(this=subquery, alias=exp.TableAlias(this=exp.to_identifier(alias)))
        return node

    tree = sqlglot.parse_one(sql, dialect="duckdb")
    return tree.transform(replace).sql(dialect="duckdb")


def sweep_ended_runs(parent: Path) -> None:
    """Delete the built-view folders under `parent` whose process has ended (a run killed
    before its engine closed); a running process's folder is left alone."""
    for folder in parent.glob(f"{_FOLDER_PREFIX}*"):
        pid = folder.name.removeprefix(_FOLDER_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
