"""`transaction`: a store write is kept whole when its block ends, and undone whole when it raises."""

from __future__ import annotations

import duckdb
import pytest

from sanjianguan.analytic_store.database import transaction


def _rows(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute("SELECT n FROM t ORDER BY n").fetchall()


def test_a_block_that_ends_is_committed() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (n INTEGER)")
    with transaction(con):
        con.execute("INSERT INTO t VALUES (1), (2)")
    assert _rows(con) == [(1,), (2,)]
    con.execute("INSERT INTO t VALUES (3)")  # no transaction left open
    assert len(_rows(con)) == 3


@pytest.mark.parametrize("raised", [RuntimeError("failed"), KeyboardInterrupt()])
def test_a_block_that_raises_anything_is_rolled_back_whole(raised: BaseException) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (n INTEGER)")
    con.execute("INSERT INTO t VALUES (0)")

    def replace_then_fail() -> None:
        with transaction(con):
            con.execute("DELETE FROM t")
            con.execute("INSERT INTO t VALUES (1)")
            raise raised

    with pytest.raises(type(raised)):
        replace_then_fail()
    assert _rows(con) == [(0,)]
