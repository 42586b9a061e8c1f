"""Rule-test fixtures: a store builder and the hits of a run on DuckDB or Spark.

`run_hits` runs on the engine of the `engine` parameter; on Spark it also runs on
DuckDB and asserts that both give identical hits, so every rule test is a parity test.
One SparkSession serves the whole test session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from sanjianguan.analytic_store.parquet import export_parquet
from sanjianguan.engines.base import Engine
from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.rules.hits import Hit
from sanjianguan.rules.registry import load_catalogue, select
from sanjianguan.rules.runner import compute
from tests.rules.builder import StoreBuilder
from tests.services import java_missing, unavailable

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

RunHits = Callable[..., list[Hit]]


@pytest.fixture(scope="session")
def spark_session() -> Iterator[SparkSession]:
    if (why := java_missing()) is not None:
        unavailable("Spark", why)
    from sanjianguan.engines.spark import build_session

    session = build_session("local[2]", app_name="sanjianguan-tests")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a rule test runs on."""
    return str(request.param)


@pytest.fixture
def build(con: duckdb.DuckDBPyConnection) -> StoreBuilder:
    builder = StoreBuilder(con)
    builder.institution()
    builder.patient()
    return builder


def _hits(engine: Engine, home: Path, ids: Sequence[str], period: str) -> list[Hit]:
    rules = select(load_catalogue(home), ids)
    return [h for result in compute(engine, rules, period) for h in result.hits]


@pytest.fixture
def make_engine(
    request: pytest.FixtureRequest, con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> Callable[[str], Engine]:
    """Engine factory over the test store (Spark reads a fresh Parquet export of it)."""

    def make(name: str) -> Engine:
        if name == "duckdb":
            return DuckDBEngine(con)
        from sanjianguan.engines.spark import SparkEngine

        out = tmp_path / "parquet"
        export_parquet(con, out)
        return SparkEngine(str(out), session=request.getfixturevalue("spark_session"))

    return make


@pytest.fixture
def run_hits(engine: str, make_engine: Callable[[str], Engine], home: Path) -> RunHits:
    """Hits of the given rules for a period, on the test's engine (Spark: checked against DuckDB)."""

    def run(*ids: str, period: str = "2025-03") -> list[Hit]:
        hits = _hits(make_engine(engine), home, ids, period)
        if engine != "duckdb":
            assert hits == _hits(make_engine("duckdb"), home, ids, period), "engines differ"
        return hits

    return run
