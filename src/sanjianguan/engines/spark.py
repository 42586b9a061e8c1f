"""The distributed engine: the same compiled rules on Spark, over the store's Parquet layout.

The store is exported with `sanjianguan.analytic_store.parquet.export_parquet`; this engine
registers every store table and reference view as a temporary view read from that
layout with the schema of the store DDL (so empty tables and partition columns read
the same as in DuckDB). pyspark is imported only here, and only when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sanjianguan.analytic_store.parquet import layout_tables
from sanjianguan.engines.base import TIME_ZONE, Engine, Rows, ViewDeclaration

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[2]"

# Store (DuckDB) types → Spark SQL types. Naive timestamps stay naive (TIMESTAMP_NTZ):
# a zone-aware TIMESTAMP would shift charge days by the session offset.
SPARK_TYPES = {
    "VARCHAR": "STRING",
    "INTEGER": "INT",
    "BIGINT": "BIGINT",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP_NTZ",
    "BOOLEAN": "BOOLEAN",
}

SESSION_CONF = {
    "spark.sql.session.timeZone": TIME_ZONE,
    # `period=2025-03` must stay a string, never be guessed as a date.
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.ansi.enabled": "true",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}


def spark_type(sql_type: str) -> str:
    """Spark type of a store column type (DECIMAL(p,s) is spelled alike)."""
    return sql_type if sql_type.startswith("DECIMAL") else SPARK_TYPES[sql_type]


def build_session(master: str = DEFAULT_MASTER, app_name: str = "sanjianguan") -> SparkSession:
    """A SparkSession for `master` (`local[2]` or a cluster URL) with the platform's settings."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in SESSION_CONF.items():
        builder = builder.config(key, value)
    if master.startswith("local"):
        # Local runs shuffle little data: a few partitions avoid hundreds of empty tasks.
        builder = builder.config("spark.sql.shuffle.partitions", "4")
    return builder.getOrCreate()


class SparkEngine(Engine):
    """Runs compiled rules on Spark over `<parquet_dir>/<table>/...`."""

    name = "spark"
    dialect = "spark"

    def __init__(
        self, parquet_dir: str, *, session: SparkSession | None = None, master: str = DEFAULT_MASTER
    ):
        self._owns_session = session is None
        self.session = session or build_session(master)
        for key, value in SESSION_CONF.items():
            if not key.startswith("spark.ui."):
                self.session.conf.set(key, value)
        self.parquet_dir = parquet_dir.rstrip("/")
        self._register_tables()

    def _register_tables(self) -> None:
        for name, columns in layout_tables().items():
            schema = ", ".join(f"`{col}` {spark_type(typ)}" for col, typ in columns)
            frame = self.session.read.schema(schema).parquet(f"{self.parquet_dir}/{name}")
            frame.createOrReplaceTempView(name)

    def _create_view(self, view: ViewDeclaration, sql: str) -> None:
        # Spark plans each query whole: a view stays a view, however it is declared.
        self.session.sql(f"CREATE OR REPLACE TEMPORARY VIEW {view.name} AS {sql}")

    def fetch(self, sql: str) -> tuple[list[str], Rows]:
        frame = self.session.sql(sql)
        rows = [tuple(_plain(v) for v in row) for row in frame.collect()]
        return list(frame.columns), rows

    def close(self) -> None:
        if self._owns_session:
            self.session.stop()


def _plain(value: Any) -> Any:
    # Spark returns arrays as lists already; Row objects (structs) become dicts.
    if hasattr(value, "asDict"):
        return value.asDict(recursive=True)
    return value
