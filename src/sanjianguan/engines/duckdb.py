"""The embedded default engine: rules and indicators run inside the DuckDB store itself.

Views declared `materialised` become tables of the engine's own in-memory database
(`ATTACH ':memory:' ... (COMPRESS)`, detached on `close`, never written to the store),
read through a temp view of the same name, and dropped when the run releases them
(`release_view`). A table of a million rows or more is compressed once built (a
checkpoint of that database): a city month's fee lines take about 1.7 GB compressed
against 8 GB as a temp table, which spilled to disk beyond the 3 GB memory limit and was
read back from there by every rule (C01 25.6 → 10.8 s; see docs/benchmarks.md).

Views `partitioned_by` a key are built slice by slice (see `sanjianguan.queries.views`)
when their SQL collects lists (`list`, `array_agg`, `string_agg`): DuckDB spills a hash
aggregate of sums to disk beyond its memory limit, but not the lists of a city month's
line ids. Without lists a view is built in one pass, since each slice reads the whole
source again: the city month's `p_fee_net` took 84 s in 13 slices, 32 s in one.

A materialised view the run reads only once stays a plain view, unless it would be built
in more than one slice: the slices bound a city month's memory, and one reading costs no
more as a table.
"""

from __future__ import annotations

import contextlib
import math
import uuid
from collections.abc import Iterator
from functools import partial

import duckdb
import sqlglot
from sqlglot import exp

from sanjianguan.engines.base import TIME_ZONE, Engine, Rows, ViewDeclaration

# Fee lines per slice when an aggregate view is built slice by slice: a month of a
# city (tens of millions of lines) aggregated in one hash table, with its lists of line
# ids, does not fit a few GB of memory; slices of this size do, on 2 cores.
ROWS_PER_PARTITION = 4_000_000
# Rows from which a built view is compressed: below, it fits memory as it is, and
# compressing (about as long as building) would cost more than reading it saves.
COMPRESS_ROWS = 1_000_000


class DuckDBEngine(Engine):
    """Runs compiled rules on an open store connection (its views are never persisted)."""

    name = "duckdb"
    dialect = "duckdb"

    def __init__(
        self, con: duckdb.DuckDBPyConnection, *, rows_per_partition: int = ROWS_PER_PARTITION
    ) -> None:
        self.con = con
        self.rows_per_partition = rows_per_partition
        # The in-memory database holding the built views, attached when first needed,
        # and the views built there now.
        self._scratch: str | None = None
        self._built: set[str] = set()
        con.execute(f"SET TimeZone = '{TIME_ZONE}'")

    def _create_view(self, view: ViewDeclaration, sql: str) -> None:
        name = view.name
        slices = self._slice_count(view, sql) if view.materialised else 1
        plain = not view.materialised or (view.read_once and slices == 1)
        if plain:
            self._drop_table(name)  # built by an earlier run of this engine
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")
            return
        # A materialised view is computed once per run as a table instead of once per
        # reading query. Building it needs no row order, and keeping it would cost memory.
        table = f"{self._scratch_database()}.main.{name}"
        self.con.execute("SET preserve_insertion_order = false")
        try:
            if slices > 1 and view.partitioned_by is not None:
                source, key = view.partitioned_by
                self._create_in_slices(table, sql, source, key, slices)
            else:
                self.con.execute(f"CREATE OR REPLACE TABLE {table} AS {sql}")
        finally:
            self.con.execute("RESET preserve_insertion_order")
        self._built.add(name)
        self._compress(table)
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {table}")

    def release_view(self, name: str) -> None:
        """Drop a built view's table and its temp view (a later reading fails by name)."""
        if name in self._built:
            self._drop_table(name)
            self.con.execute(f"DROP VIEW IF EXISTS {name}")

    def _drop_table(self, name: str) -> None:
        if name in self._built:
            self.con.execute(f"DROP TABLE IF EXISTS {self._scratch}.main.{name}")
            self._built.discard(name)

    def _scratch_database(self) -> str:
        """The name of the engine's in-memory database, attached on first use (compressed
        storage; writable even when the store is opened read-only)."""
        if self._scratch is None:
            name = f"sjg_scratch_{uuid.uuid4().hex[:12]}"
            self.con.execute(f"ATTACH ':memory:' AS {name} (COMPRESS, READ_WRITE)")
            self._scratch = name
        return self._scratch

    def _compress(self, table: str) -> None:
        """Compress the just-built `table` when it is large (a checkpoint writes only new data)."""
        row = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()
        if row and int(row[0]) >= COMPRESS_ROWS:
            self.con.execute(f"CHECKPOINT {self._scratch}")

    def close(self) -> None:
        """Detach the in-memory database of the built views (their temp views then dangle
        until a later run replaces them)."""
        if self._scratch is None:
            return
        # A connection closed first took its databases with it.
        with contextlib.suppress(duckdb.Error):
            self.con.execute(f"DETACH DATABASE IF EXISTS {self._scratch}")
        self._scratch = None
        self._built.clear()

    def _slice_count(self, view: ViewDeclaration, sql: str) -> int:
        """How many slices the view is built in: 1 unless it may be sliced and collects
        lists; then its source's rows / rows per slice. (A view read once stays plain
        only when built in one slice: its reader then computes only what it keeps.)"""
        if view.partitioned_by is None or not collects_lists(sql):
            return 1
        row = self.con.execute(f"SELECT count(*) FROM {view.partitioned_by[0]}").fetchone()
        return max(1, math.ceil((int(row[0]) if row else 0) / self.rows_per_partition))

    def _create_in_slices(self, table: str, sql: str, source: str, key: str, slices: int) -> None:
        """Build `table` from slices of `source` by hash of `key`, the view's grouping key.

        Every group of the view lies in one slice, so the union of the slices' results
        is exactly the view's result, with one slice's hash table in memory at a time.
        """
        for k in range(slices):
            part = _restrict(sql, source, f"hash({key}) % {slices} = {k}")
            if k == 0:
                self.con.execute(f"CREATE OR REPLACE TABLE {table} AS {part}")
            else:
                self.con.execute(f"INSERT INTO {table} {part}")

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
