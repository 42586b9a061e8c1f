"""Rows handed over in batches: the same rows as one fetch, never more than asked at a time."""

from __future__ import annotations

import duckdb

from sanjianguan.engines.base import Engine, Rows, ViewDeclaration
from sanjianguan.engines.duckdb import DuckDBEngine, arrow_converts_alike

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


# Every type rules and indicators return, with the awkward values of each: through Arrow
# they must come out exactly as DuckDB's own fetch gives them (type and value).
_ALIKE = """
SELECT * FROM (VALUES
  ('文本', true, 127::TINYINT, (-32768)::SMALLINT, 2147483647, (-9223372036854775808)::BIGINT,
   -0.5::DOUBLE, -12.3456::DECIMAL(18,4), 12345678901234567890.123456789012345678::DECIMAL(38,18),
   DATE '1969-12-31', TIMESTAMP '2025-02-28 23:59:59.999999', ['b', NULL, 'a'],
   [1.5::DECIMAL(18,4), NULL], [[1, 2], []], []::VARCHAR[]),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) AS t(s, b, ti, si, i, bi, d, dec, wide, day, ts, texts, decs, nested, empty)
"""
# Types Arrow converts otherwise (HUGEINT to a Decimal, an interval to its own type, a map
# to pairs ...): DuckDB's own fetch must convert them.
_OTHERWISE = {
    "HUGEINT": "170141183460469231731687303715884105727::HUGEINT",
    "INTERVAL": "INTERVAL 3 DAY",
    "MAP": "MAP {'a': 1}",
    "UBIGINT": "18446744073709551615::UBIGINT",
    "UUID": "'00000000-0000-0000-0000-000000000001'::UUID",
    "TIMESTAMP_NS": "'2025-01-01 00:00:00.123456789'::TIMESTAMP_NS",
    "list of HUGEINT": "[1::HUGEINT]",
}


def test_rows_through_arrow_are_the_values_and_types_of_duckdbs_own_fetch() -> None:
    con = duckdb.connect()
    engine = DuckDBEngine(con)
    description = con.execute(_ALIKE).description or []
    assert all(arrow_converts_alike(d[1]) for d in description)  # the Arrow path is the one tested
    expected = con.execute(_ALIKE).fetchall()
    rows = engine.fetch(_ALIKE)[1]
    assert rows == expected
    assert [[type(v) for v in row] for row in rows] == [[type(v) for v in row] for row in expected]
    assert [[type(x) for x in row[12]] for row in rows if row[12]] == [[type(x) for x in expected[0][12]]]


def test_a_type_arrow_converts_otherwise_goes_through_duckdbs_own_fetch() -> None:
    con = duckdb.connect()
    engine = DuckDBEngine(con)
    for name, value in _OTHERWISE.items():
        query = f"SELECT {value} AS v, 'x' AS s"
        assert not arrow_converts_alike((con.execute(query).description or [])[0][1]), name
        rows = engine.fetch(query)[1]
        assert rows == con.execute(query).fetchall(), name
        assert type(rows[0][0]) is type(con.execute(query).fetchall()[0][0]), name
