"""The DuckDB engine builds each view as its declaration says: a view, a table, or a table in slices."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.errors import RuleError
from sanjianguan.queries.views import View

_AGGREGATE = "SELECT k, sum(v) AS total, count(*) AS n FROM src GROUP BY k"
# Lists do not spill to disk: only a view collecting them is built in slices.
_LISTS = "SELECT k, sum(v) AS total, list(v) AS vs FROM src GROUP BY k"


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE src AS SELECT i % 37 AS k, i AS v FROM range(1000) t(i)")
    return con


def _kind(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """TABLE when the view was built (a table of an engine's in-memory database read through
    the temp view), VIEW when it is a plain view."""
    views = con.execute("SELECT sql FROM duckdb_views() WHERE temporary AND view_name = ?", [name]).fetchall()
    assert len(views) == 1, "every view is a temp view of its name"
    tables = con.execute(
        "SELECT database_name FROM duckdb_tables() "
        "WHERE table_name = ? AND database_name LIKE 'sjg_scratch_%'",
        [name],
    ).fetchall()
    return "TABLE" if tables else "VIEW"


def test_a_plain_declaration_is_a_view_and_a_materialised_one_a_table(con: duckdb.DuckDBPyConnection) -> None:
    engine = DuckDBEngine(con)
    engine.create_view(View("plain", _AGGREGATE), _AGGREGATE)
    engine.create_view(View("built", _AGGREGATE, materialised=True), _AGGREGATE)
    assert (_kind(con, "plain"), _kind(con, "built")) == ("VIEW", "TABLE")
    con.execute("INSERT INTO src VALUES (1000, 1)")
    # The view follows its source; the materialised table was computed once.
    assert con.execute("SELECT count(*) FROM plain").fetchone() == (38,)
    assert con.execute("SELECT count(*) FROM built").fetchone() == (37,)


def _statements(engine: DuckDBEngine, con: duckdb.DuckDBPyConnection) -> list[str]:
    """The SQL the engine executes from now on (a spy on its connection)."""
    statements: list[str] = []
    real = con.execute

    class _Spy:
        def __getattr__(self, name: str) -> object:
            return getattr(con, name)

        def execute(self, sql: str, *args: object) -> duckdb.DuckDBPyConnection:
            statements.append(sql)
            return real(sql, *args)

    engine.con = _Spy()  # type: ignore[assignment]
    return statements


def test_a_partitioned_declaration_collecting_lists_is_built_in_slices_with_the_same_rows(
    con: duckdb.DuckDBPyConnection,
) -> None:
    engine = DuckDBEngine(con, rows_per_partition=100)
    statements = _statements(engine, con)
    engine.create_view(View("sliced", _LISTS, materialised=True, partitioned_by=("src", "k")), _LISTS)
    inserts = [s for s in statements if s.startswith("INSERT INTO sjg_scratch_") and ".main.sliced " in s]
    assert len(inserts) == 9, "1000 rows / 100 per slice"
    # Lists compared sorted: a slice collects its group's values in no particular order.
    whole = "SELECT k, total, list_sort(vs) AS vs FROM ({sql})"
    diff = con.execute(
        f"SELECT count(*) FROM (({whole.format(sql='FROM sliced')} EXCEPT ALL {whole.format(sql=_LISTS)}) "
        f"UNION ALL ({whole.format(sql=_LISTS)} EXCEPT ALL {whole.format(sql='FROM sliced')}))"
    )
    assert diff.fetchone() == (0,)


def test_a_partitioned_declaration_of_sums_is_built_in_one_pass(con: duckdb.DuckDBPyConnection) -> None:
    # Sums spill to disk beyond the memory limit: slices would only read the source again.
    engine = DuckDBEngine(con, rows_per_partition=100)
    statements = _statements(engine, con)
    engine.create_view(View("sums", _AGGREGATE, materialised=True, partitioned_by=("src", "k")), _AGGREGATE)
    built = [s for s in statements if s.startswith(("CREATE", "INSERT"))]
    assert len(built) == 2
    assert built[0].startswith("CREATE OR REPLACE TABLE sjg_scratch_")
    assert built[0].endswith(f".main.sums AS {_AGGREGATE}")
    assert built[1].startswith("CREATE OR REPLACE TEMP VIEW sums AS SELECT * FROM sjg_scratch_")
    assert con.execute("SELECT count(*), sum(total) FROM sums").fetchone() == (37, 499500)


def test_a_view_read_once_stays_plain_unless_it_would_be_built_in_slices(
    con: duckdb.DuckDBPyConnection,
) -> None:
    once = View("once", _LISTS, materialised=True, read_once=True)
    sliced_once = View("big", _LISTS, materialised=True, partitioned_by=("src", "k"), read_once=True)
    small_once = View("small", _LISTS, materialised=True, partitioned_by=("src", "k"), read_once=True)
    sums_once = View("sums", _AGGREGATE, materialised=True, partitioned_by=("src", "k"), read_once=True)
    DuckDBEngine(con).create_view(once, _LISTS)
    DuckDBEngine(con, rows_per_partition=100).create_view(sliced_once, _LISTS)
    DuckDBEngine(con, rows_per_partition=1000).create_view(small_once, _LISTS)
    DuckDBEngine(con, rows_per_partition=100).create_view(sums_once, _AGGREGATE)
    # 1 000 source rows: one slice of 1 000 stays a view; ten slices of 100 bound the memory;
    # sums are never sliced, so they stay a view however large the source.
    kinds = [_kind(con, n) for n in ("once", "big", "small", "sums")]
    assert kinds == ["VIEW", "TABLE", "VIEW", "VIEW"]
    assert con.execute("SELECT count(*), sum(total) FROM big").fetchone() == (37, 499500)


def test_a_later_run_may_build_a_view_the_other_way(con: duckdb.DuckDBPyConnection) -> None:
    engine = DuckDBEngine(con)
    for read_once, kind in ((True, "VIEW"), (False, "TABLE"), (True, "VIEW")):
        engine.create_view(View("agg", _AGGREGATE, materialised=True, read_once=read_once), _AGGREGATE)
        assert _kind(con, "agg") == kind
    assert con.execute("SELECT count(*) FROM agg").fetchone() == (37,)


def test_view_names_are_checked(con: duckdb.DuckDBPyConnection) -> None:
    class _Bad:
        name = "x; DROP TABLE src"
        materialised = False
        partitioned_by = None
        read_once = False

    with pytest.raises(RuleError, match="invalid view name"):
        DuckDBEngine(con).create_view(_Bad(), "SELECT 1")


def test_a_large_built_view_is_compressed_and_closing_the_engine_frees_it(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sanjianguan.engines.duckdb.COMPRESS_ROWS", 500)
    engine = DuckDBEngine(con)
    statements = _statements(engine, con)
    engine.create_view(View("small", _AGGREGATE, materialised=True), _AGGREGATE)
    assert not [s for s in statements if s.startswith("CHECKPOINT")], "37 rows stay as they are"
    engine.create_view(View("copy", "SELECT * FROM src", materialised=True), "SELECT * FROM src")
    assert [s for s in statements if s.startswith("CHECKPOINT")] == [f"CHECKPOINT {engine._scratch}"]
    assert con.execute("SELECT count(*), sum(v) FROM copy").fetchone() == (1000, 499500)
    scratch = engine._scratch
    engine.close()
    attached = [r[0] for r in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()]
    assert scratch not in attached
    engine.close()  # closing twice is harmless


def test_views_are_built_on_a_store_opened_read_only(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    with duckdb.connect(str(path)) as writer:
        writer.execute("CREATE TABLE src AS SELECT i % 37 AS k, i AS v FROM range(1000) t(i)")
    con = duckdb.connect(str(path), read_only=True)
    engine = DuckDBEngine(con)
    engine.create_view(View("built", _AGGREGATE, materialised=True), _AGGREGATE)
    assert con.execute("SELECT count(*), sum(total) FROM built").fetchone() == (37, 499500)
    engine.close()
    con.close()


def test_releasing_a_built_view_drops_it_and_a_plain_one_stays(con: duckdb.DuckDBPyConnection) -> None:
    engine = DuckDBEngine(con)
    engine.create_view(View("built", _AGGREGATE, materialised=True), _AGGREGATE)
    engine.create_view(View("plain", _AGGREGATE), _AGGREGATE)
    engine.release_view("built")
    engine.release_view("plain")
    assert con.execute("SELECT count(*) FROM plain").fetchone() == (37,)
    with pytest.raises(duckdb.CatalogException, match="built"):
        con.execute("SELECT count(*) FROM built")
    left = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ?", [engine._scratch])
    assert left.fetchone() == (0,)
