"""`open_engine`: the one way the analytic commands open DuckDB or Spark."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sanjianguan.engines.choices import EngineName
from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.engines.open import RemoteExportError, open_engine


def test_duckdb_runs_on_the_store_connection(tmp_path: Path) -> None:
    con = duckdb.connect()
    engine = open_engine(EngineName.DUCKDB, con, tmp_path)
    assert isinstance(engine, DuckDBEngine)
    assert engine.con is con


def test_a_remote_layout_is_not_exported_to(tmp_path: Path) -> None:
    con = duckdb.connect()
    with pytest.raises(RemoteExportError, match="use --no-export with a remote --parquet-dir"):
        open_engine(EngineName.SPARK, con, tmp_path, parquet_dir="s3://bucket/layout")
    assert not (tmp_path / "parquet").exists()
