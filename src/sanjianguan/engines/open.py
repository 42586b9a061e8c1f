"""Opening the engine a run asks for (打开计算引擎): DuckDB on the store, or Spark on its Parquet layout.

Every analytic command (`sjg analyze`, `sjg indicators`, `sjg growth`) opens its engine
here. Spark reads the store's Parquet layout (`<home>/parquet` unless told otherwise),
exported from the store first when `export` is set; a cluster reads a shared path, so
the store is exported only to a local folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sanjianguan.config import SparkSettings
from sanjianguan.engines.choices import EngineName
from sanjianguan.errors import SjgError

if TYPE_CHECKING:
    import duckdb

    from sanjianguan.engines.base import Engine

PARQUET_DIR = "parquet"


class RemoteExportError(SjgError, ValueError):
    """The store cannot be exported to a remote Parquet folder (use --no-export)."""


def open_engine(
    name: EngineName,
    con: duckdb.DuckDBPyConnection,
    home: Path,
    *,
    master: str | None = None,
    parquet_dir: str | None = None,
    export: bool = True,
    spark: SparkSettings | None = None,
) -> Engine:
    """The engine `name` over the store `con` (DuckDB) or its Parquet layout (Spark).

    Spark's master is `master` if given, else `spark.master` (`[spark]` of the data folder,
    default `local[2]`); a master that cannot be reached is refused before the store is
    exported. A remote `parquet_dir` needs `export=False`.
    """
    from sanjianguan.engines.duckdb import DuckDBEngine

    if name is EngineName.DUCKDB:
        return DuckDBEngine(con)
    from sanjianguan.analytic_store.parquet import export_parquet
    from sanjianguan.engines.spark import SparkEngine, check_master

    settings = spark or SparkSettings()
    master = master or settings.master
    target = parquet_dir or str(home / PARQUET_DIR)
    if export and "://" in target:
        raise RemoteExportError("use --no-export with a remote --parquet-dir")
    check_master(master, settings.connect_timeout_s)  # before a long export, not after
    if export:
        export_parquet(con, Path(target))
    return SparkEngine(
        target,
        master=master,
        conf=settings.conf,
        connect_timeout=settings.connect_timeout_s,
        concurrency=settings.concurrency,
    )
