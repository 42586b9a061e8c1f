"""The embedded default engine: rules run inside the DuckDB store itself."""

from __future__ import annotations

import duckdb

from sanjianguan.engines.base import TIME_ZONE, Engine, Rows
from sanjianguan.rules.views import MATERIALISED


class DuckDBEngine(Engine):
    """Runs compiled rules on an open store connection (views are TEMP: never persisted)."""

    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        con.execute(f"SET TimeZone = '{TIME_ZONE}'")

    def _create_view(self, name: str, sql: str) -> None:
        # The fee-line views are read by most rules: computed once per run as temp
        # tables (spilled to disk beyond the memory limit) instead of once per rule.
        kind = "TABLE" if name in MATERIALISED else "VIEW"
        self.con.execute(f"CREATE OR REPLACE TEMP {kind} {name} AS {sql}")

    def fetch(self, sql: str) -> tuple[list[str], Rows]:
        cursor = self.con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()
