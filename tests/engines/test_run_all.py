"""`Engine.run_all`: DuckDB runs a run's queries one after another; Spark several at once.

Either way the results come in the order of the tasks and a failure is raised, so the
runners store the same hits and values in the same order on both engines (the rule and
indicator parity tests check them all).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from sanjianguan.analytic_store.parquet import export_parquet
from sanjianguan.engines.duckdb import DuckDBEngine
from tests.rules.builder import StoreBuilder

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def test_duckdb_runs_each_task_when_its_result_is_asked_for() -> None:
    engine = DuckDBEngine(duckdb.connect())
    started: list[int] = []

    def task(n: int) -> int:
        started.append(n)
        return int(engine.fetch(f"SELECT {n} * 10")[1][0][0])

    results = engine.run_all([lambda n=n: task(n) for n in range(3)])  # type: ignore[misc]
    assert started == []
    assert next(results) == 0
    assert started == [0]
    assert list(results) == [10, 20]
    assert started == [0, 1, 2]


@pytest.mark.spark
def test_spark_runs_tasks_at_once_in_order_and_raises_a_failure(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, spark_session: SparkSession
) -> None:
    from sanjianguan.engines.spark import SparkEngine

    StoreBuilder(con).institution().patient()
    export_parquet(con, tmp_path)
    engine = SparkEngine(str(tmp_path), session=spark_session, concurrency=3)
    threads: set[str] = set()
    pools: set[str | None] = set()
    lock = threading.Lock()

    def task(n: int) -> int:
        with lock:
            threads.add(threading.current_thread().name)
            pools.add(spark_session.sparkContext.getLocalProperty("spark.scheduler.pool"))
        time.sleep(0.2 * (5 - n))  # the first tasks finish last
        return int(engine.fetch(f"SELECT {n} * 10 AS v")[1][0][0])

    assert list(engine.run_all([lambda n=n: task(n) for n in range(5)])) == [0, 10, 20, 30, 40]  # type: ignore[misc]
    assert len(threads) == 3
    assert all(t.startswith("sjg-spark") for t in threads)
    assert pools == {"sjg-0", "sjg-1", "sjg-2"}

    def broken() -> int:
        return int(engine.fetch("SELECT no_such_column FROM institutions")[1][0][0])

    with pytest.raises(Exception, match="no_such_column"):
        list(engine.run_all([lambda: 1, broken, lambda: 3]))

    with pytest.raises(ValueError, match="concurrency must be at least 1"):
        SparkEngine(str(tmp_path), session=spark_session, concurrency=0)
