"""The Spark engine caches the views declared `materialised`, and releases them.

A cached view must give the rows of the uncached one (the rule and indicator parity tests
check every hit and value); here: what is cached, that rebuilding a view releases it and
the views created after it, and that `close` releases everything on a shared session.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from sanjianguan.analytic_store.parquet import export_parquet
from sanjianguan.queries.views import View
from tests.rules.builder import StoreBuilder

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark

_BASE = "SELECT * FROM fee_items WHERE period = '2025-03'"
_LINES = "SELECT encounter_id, amount FROM p_base"
_DAILY = "SELECT encounter_id, CAST(sum(amount) AS DECIMAL(18,4)) AS total FROM p_lines GROUP BY encounter_id"


def _cached(session: SparkSession) -> set[str]:
    return {name for name in ("p_lines", "p_daily", "p_base") if session.catalog.isCached(name)}


def test_materialised_views_are_cached_and_released(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, spark_session: SparkSession
) -> None:
    from sanjianguan.engines.spark import SparkEngine

    build = StoreBuilder(con).institution().patient()
    build.item("X").encounter("E1").encounter("E2")
    build.fee("E1", "X", "2025-03-02 10:00:00", 2, 5)
    build.fee("E2", "X", "2025-03-03 10:00:00", 1, 7)
    export_parquet(con, tmp_path)
    engine = SparkEngine(str(tmp_path), session=spark_session)
    engine.create_view(View("p_base", _BASE), _BASE)
    engine.create_view(View("p_lines", _LINES, materialised=True), _LINES)
    engine.create_view(View("p_daily", _DAILY, materialised=True), _DAILY)
    assert engine.cached_views == ["p_lines", "p_daily"]
    assert _cached(spark_session) == {"p_lines", "p_daily"}
    assert sorted(engine.fetch("SELECT encounter_id, total FROM p_daily")[1]) == [("E1", 10), ("E2", 7)]

    # A new base view: the views built on the old one are released, and read the new one.
    engine.create_view(View("p_base", _BASE), f"{_BASE} AND encounter_id = 'E2'")
    assert (engine.cached_views, _cached(spark_session)) == ([], set())
    assert engine.fetch("SELECT encounter_id FROM p_lines")[1] == [("E2",)]

    engine.create_view(View("p_lines", _LINES, materialised=True), _LINES)
    engine.close()
    assert (engine.cached_views, _cached(spark_session)) == ([], set())
