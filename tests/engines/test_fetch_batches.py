"""Rows handed over in batches: the same rows as one fetch, never more than asked at a time."""

from __future__ import annotations

import duckdb

from sanjianguan.engines.base import Engine, Rows, ViewDeclaration
from sanjianguan.engines.duckdb import DuckDBEngine

_QUERY = "SELECT i AS n, [i, i + 1] AS pair FROM range(2345) t(i) ORDER BY i"


def test_duckdb_hands_over_the_rows_of_one_fetch_in_batches_of_the_size_asked() -> None:
    engine = DuckDBEngine(duckdb.connect())
    columns, batches = engine.fetch_batches(_QUERY, 1000)
    sizes = []
    rows: Rows = []
    for batch in batches:
        sizes.append(len(batch))
        rows.extend(batch)
    assert columns == ["n", "pair"]
    assert sizes == [1000, 1000, 345]
    assert rows == engine.fetch(_QUERY)[1]
    assert rows[7] == (7, [7, 8])


def test_an_empty_result_is_no_batch_at_all() -> None:
    engine = DuckDBEngine(duckdb.connect())
    columns, batches = engine.fetch_batches("SELECT 1 AS n WHERE false", 10)
    assert columns == ["n"]
    assert list(batches) == []


class _OneShot(Engine):
    """An engine with only `fetch`: the default hands its rows over in one batch."""

    name = "one-shot"
    dialect = "duckdb"

    def _create_view(self, view: ViewDeclaration, sql: str) -> None:
        raise AssertionError("not used")

    def fetch(self, sql: str) -> tuple[list[str], Rows]:
        return ["n"], [(1,), (2,), (3,)] if sql == "three" else []


def test_an_engine_without_batches_hands_over_all_its_rows_at_once() -> None:
    columns, batches = _OneShot().fetch_batches("three", 2)
    assert (columns, list(batches)) == (["n"], [[(1,), (2,), (3,)]])
    assert list(_OneShot().fetch_batches("none", 2)[1]) == []
