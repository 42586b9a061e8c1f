"""The embedded default engine: rules and indicators run inside the DuckDB store itself.

Views declared `materialised` are built once per run as Parquet files (lz4) in a folder
of the engine's own (`<data folder>/scratch/views-<pid>-<id>/`, the system's temporary
folder for a store in memory), read through a temp view of the same name, and deleted
when the run releases them (`release_view`) or the engine closes. Never in the store:
the store may be open read-only, and a run leaves it as it found it. A city month's fee
lines take 30 s to write and 750 MB on disk this way, outside DuckDB's memory limit;
as a table of an in-memory database they took 40 s to insert (spilling beyond the
3 GB limit) and 43 s more to compress (see docs/benchmarks.md, tenth round). A run
that is killed leaves its folder behind; the next engine on the same data folder
deletes every folder whose process has ended.

Views `partitioned_by` a key are built slice by slice (see `sanjianguan.queries.views`),
one file per slice, when their SQL collects lists (`list`, `array_agg`, `string_agg`):
DuckDB spills a hash aggregate of sums to disk beyond its memory limit, but not the lists
of a city month's line ids. Without lists a view is built in one pass, since each slice
reads the whole source again: the city month's `p_fee_net` took 84 s in 13 slices, 32 s
in one.

A materialised view the run reads only once stays a plain view, unless it would be built
in more than one slice: the slices bound a city month's memory, and one reading costs no
more as a file.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from sanjianguan.analytic_store.segments import home_of
from sanjianguan.contract.files import sql_literal
from sanjianguan.engines.base import TIME_ZONE, Engine, Rows, ViewDeclaration

# Fee lines per slice when an aggregate view is built slice by slice: a month of a
# city (tens of millions of lines) aggregated in one hash table, with its lists of line
# ids, does not fit a few GB of memory; slices of this size do, on 2 cores.
ROWS_PER_PARTITION = 4_000_000
# Where built views are written, under the data folder (数据目录下的临时文件夹).
SCRATCH = "scratch"
_FOLDER_PREFIX = "views-"
# lz4 writes as fast as no compression (29 s for a city month's fee lines) at a third of
# the size (750 MB against 2.1 GB); zstd halves that again but writes 10 % slower.
_PARQUET = "FORMAT parquet, COMPRESSION lz4_raw"


class DuckDBEngine(Engine):
    """Runs compiled rules on an open store connection (its views are never persisted)."""

    name = "duckdb"
    dialect = "duckdb"

    def __init__(
        self, con: duckdb.DuckDBPyConnection, *, rows_per_partition: int = ROWS_PER_PARTITION
    ) -> None:
        self.con = con
        self.rows_per_partition = rows_per_partition
        # The folder holding the built views' files, made when first needed, and the
        # views built there now.
        self._folder: Path | None = None
        self._built: set[str] = set()
        con.execute(f"SET TimeZone = '{TIME_ZONE}'")

    def _create_view(self, view: ViewDeclaration, sql: str) -> None:
        name = view.name
        slices = self._slice_count(view, sql) if view.materialised else 1
        plain = not view.materialised or (view.read_once and slices == 1)
        self._delete_files(name)  # built by an earlier run of this engine
        if plain:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")
            return
        # A materialised view is computed once per run instead of once per reading query.
        # Building it needs no row order (the files are written in parallel).
        files = self._scratch_folder() / name
        files.mkdir()
        self._built.add(name)
        self.con.execute("SET preserve_insertion_order = false")
        try:
            if slices > 1 and view.partitioned_by is not None:
                source, key = view.partitioned_by
                self._create_in_slices(files, sql, source, key, slices)
            else:
                self._write(sql, files / "0.parquet")
        finally:
            self.con.execute("RESET preserve_insertion_order")
        pattern = sql_literal(str(files / "*.parquet"))
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet({pattern})")

    def _write(self, sql: str, path: Path) -> None:
        self.con.execute(f"COPY ({sql}) TO {sql_literal(str(path))} ({_PARQUET})")

    def release_view(self, name: str) -> None:
        """Delete a built view's files and drop its temp view (a later reading fails by name)."""
        if name in self._built:
            self._delete_files(name)
            self.con.execute(f"DROP VIEW IF EXISTS {name}")

    def _delete_files(self, name: str) -> None:
        if name in self._built and self._folder is not None:
            shutil.rmtree(self._folder / name, ignore_errors=True)
            self._built.discard(name)

    def _scratch_folder(self) -> Path:
        """The engine's folder for built views, made on first use. Folders left by runs
        whose process has ended (killed) are deleted first."""
        if self._folder is None:
            home = home_of(self.con)
            parent = home / SCRATCH if home else Path(tempfile.gettempdir()) / "sanjianguan"
            parent.mkdir(parents=True, exist_ok=True)
            sweep_ended_runs(parent)
            self._folder = parent / f"{_FOLDER_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
            self._folder.mkdir()
        return self._folder

    def close(self) -> None:
        """Delete the built views' folder (their temp views then dangle until a later run
        replaces them)."""
        if self._folder is None:
            return
        shutil.rmtree(self._folder, ignore_errors=True)
        self._folder = None
        self._built.clear()

    def _slice_count(self, view: ViewDeclaration, sql: str) -> int:
        """How many slices the view is built in: 1 unless it may be sliced and collects
        lists; then its source's rows / rows per slice. (A view read once stays plain
        only when built in one slice: its reader then computes only what it keeps.)"""
        if view.partitioned_by is None or not collects_lists(sql):
            return 1
        row = self.con.execute(f"SELECT count(*) FROM {view.partitioned_by[0]}").fetchone()
        return max(1, math.ceil((int(row[0]) if row else 0) / self.rows_per_partition))

    def _create_in_slices(self, files: Path, sql: str, source: str, key: str, slices: int) -> None:
        """Write the view as one file per slice of `source` by hash of `key`, the view's
        grouping key.

        Every group of the view lies in one slice, so the union of the slices' results
        is exactly the view's result, with one slice's hash table in memory at a time.
        """
        for k in range(slices):
            self._write(_restrict(sql, source, f"hash({key}) % {slices} = {k}"), files / f"{k}.parquet")

    def fetch(self, sql: str) -> tuple[list[str], Rows]:
        cursor = self.con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()

    def fetch_batches(self, sql: str, size: int) -> tuple[list[str], Iterator[Rows]]:
        cursor = self.con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        return columns, iter(partial(cursor.fetchmany, size), [])


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
