"""The embedded default engine: rules and indicators run inside the DuckDB store itself.

Views declared `materialised` become temp tables. Those `partitioned_by` a key are built
slice by slice (see `sanjianguan.queries.views`) when their SQL collects lists
(`list`, `array_agg`, `string_agg`): DuckDB spills a hash aggregate of sums to disk
beyond its memory limit, but not the lists of a city month's line ids. Without lists a
view is built in one pass: each slice reads the whole source again, and the city month's
`p_fee_net` took 84 s in 13 slices against 32 s in one (docs/benchmarks.md). A
materialised view the run reads only once stays a plain view, unless it would be built
in more than one slice: the slices bound a city month's memory, and one reading costs
no more as a table.
"""

from __future__ import annotations

import math

import duckdb
import sqlglot
from sqlglot import exp

from sanjianguan.engines.base import TIME_ZONE, Engine, Rows, ViewDeclaration

# Fee lines per slice when an aggregate view is built slice by slice: a month of a
# city (tens of millions of lines) aggregated in one hash table, with its lists of line
# ids, does not fit a few GB of memory; slices of this size do, on 2 cores.
ROWS_PER_PARTITION = 4_000_000


class DuckDBEngine(Engine):
    """Runs compiled rules on an open store connection (views are TEMP: never persisted)."""

    name = "duckdb"
    dialect = "duckdb"

    def __init__(
        self, con: duckdb.DuckDBPyConnection, *, rows_per_partition: int = ROWS_PER_PARTITION
    ) -> None:
        self.con = con
        self.rows_per_partition = rows_per_partition
        con.execute(f"SET TimeZone = '{TIME_ZONE}'")

    def _create_view(self, view: ViewDeclaration, sql: str) -> None:
        name = view.name
        slices = self._slice_count(view, sql) if view.materialised else 1
        plain = not view.materialised or (view.read_once and slices == 1)
        # An earlier run on this connection may have built the view the other way (a
        # view read once then, a table now): CREATE OR REPLACE cannot change the kind.
        self._drop_other_kind(name, "TABLE" if plain else "VIEW")
        if plain:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")
            return
        # A materialised view is computed once per run as a temp table (spilled to disk
        # beyond the memory limit) instead of once per reading query. Building it needs
        # no row order, and keeping it would cost memory.
        self.con.execute("SET preserve_insertion_order = false")
        try:
            if slices > 1 and view.partitioned_by is not None:
                source, key = view.partitioned_by
                self._create_in_slices(name, sql, source, key, slices)
            else:
                self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
        finally:
            self.con.execute("RESET preserve_insertion_order")

    def _drop_other_kind(self, name: str, kind: str) -> None:
        """Drop the temp object `name` if it is of `kind` (TABLE or VIEW)."""
        row = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
            "AND table_schema = 'main' AND table_catalog = 'temp' AND table_type = ?",
            [name, "VIEW" if kind == "VIEW" else "LOCAL TEMPORARY"],
        ).fetchone()
        if row and row[0]:
            self.con.execute(f"DROP {kind} {name}")

    def _slice_count(self, view: ViewDeclaration, sql: str) -> int:
        """How many slices the view is built in: 1 unless it may be sliced and collects
        lists; then its source's rows / rows per slice. (A view read once stays plain
        only when built in one slice: its reader then computes only what it keeps.)"""
        if view.partitioned_by is None or not collects_lists(sql):
            return 1
        row = self.con.execute(f"SELECT count(*) FROM {view.partitioned_by[0]}").fetchone()
        return max(1, math.ceil((int(row[0]) if row else 0) / self.rows_per_partition))

    def _create_in_slices(self, name: str, sql: str, source: str, key: str, slices: int) -> None:
        """Build `name` from slices of `source` by hash of `key`, the view's grouping key.

        Every group of the view lies in one slice, so the union of the slices' results
        is exactly the view's result, with one slice's hash table in memory at a time.
        """
        for k in range(slices):
            part = _restrict(sql, source, f"hash({key}) % {slices} = {k}")
            if k == 0:
                self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {part}")
            else:
                self.con.execute(f"INSERT INTO {name} {part}")

    def fetch(self, sql: str) -> tuple[list[str], Rows]:
        cursor = self.con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()


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
