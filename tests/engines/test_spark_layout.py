"""The Spark engine reads a Parquet layout exported before a reference table existed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from sanjianguan.analytic_store.parquet import export_parquet
from tests.rules.builder import StoreBuilder

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark


def test_a_reference_table_missing_from_an_older_export_reads_empty(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, spark_session: SparkSession
) -> None:
    from pyspark.errors import AnalysisException

    from sanjianguan.engines.spark import SparkEngine

    StoreBuilder(con).institution().patient().item("X").encounter("E1")
    export_parquet(con, tmp_path)
    # ref_tcm_advantage_diseases joined the contract later: an earlier export has no folder.
    shutil.rmtree(tmp_path / "ref_tcm_advantage_diseases")
    engine = SparkEngine(str(tmp_path), session=spark_session)
    try:
        assert engine.fetch("SELECT count(*) FROM ref_tcm_advantage_diseases")[1] == [(0,)]
        assert engine.fetch("SELECT count(*) FROM encounters")[1] == [(1,)]
    finally:
        engine.close()
    # A missing table of the data itself is still an error: the export is incomplete.
    shutil.rmtree(tmp_path / "encounters")
    with pytest.raises(AnalysisException, match="PATH_NOT_FOUND"):
        SparkEngine(str(tmp_path), session=spark_session)
