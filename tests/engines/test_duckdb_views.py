"""The DuckDB engine builds each view as its declaration says: a view, or built once (a table
of its in-memory database, or Parquet files for a large view), whole or in slices."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from sanjianguan.engines import duckdb as engine_module
from sanjianguan.engines.duckdb import DuckDBEngine, sweep_ended_runs
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


@pytest.fixture(params=["TABLE", "FILE"])
def built_as(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """How built views are stored in the test: a table (source below `FILE_ROWS`) or files."""
    monkeypatch.setattr(engine_module, "FILE_ROWS", 1 if request.param == "FILE" else 10**12)
    return str(request.param)


def _kind(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """VIEW when `name` is a plain view; when it was built, TABLE (a table of an engine's
    in-memory database) or FILE (Parquet files), read through the temp view of its name."""
    views = con.execute("SELECT sql FROM duckdb_views() WHERE temporary AND view_name = ?", [name]).fetchall()
    assert len(views) == 1, "every view is a temp view of its name"
    tables = con.execute(
        "SELECT database_name FROM duckdb_tables() "
        "WHERE table_name = ? AND database_name LIKE 'sjg_scratch_%'",
        [name],
    ).fetchall()
    return "FILE" if "read_parquet(" in views[0][0] else "TABLE" if tables else "VIEW"


def _files(engine: DuckDBEngine, name: str) -> list[str]:
    folder = engine._folder
    return sorted(p.name for p in (folder / name).iterdir()) if folder and (folder / name).exists() else []


def test_a_plain_declaration_is_a_view_and_a_materialised_one_is_built(
    con: duckdb.DuckDBPyConnection, built_as: str
) -> None:
    engine = DuckDBEngine(con)
    engine.create_view(View("plain", _AGGREGATE), _AGGREGATE)
    engine.create_view(View("built", _AGGREGATE, materialised=True), _AGGREGATE)
    assert (_kind(con, "plain"), _kind(con, "built")) == ("VIEW", built_as)
    assert _files(engine, "built") == (["0.parquet"] if built_as == "FILE" else [])
    con.execute("INSERT INTO src VALUES (1000, 1)")
    # The view follows its source; the materialised one was computed once.
    assert con.execute("SELECT count(*) FROM plain").fetchone() == (38,)
    assert con.execute("SELECT count(*) FROM built").fetchone() == (37,)


def test_a_view_reading_file_rows_or_more_is_written_to_files(con: duckdb.DuckDBPyConnection) -> None:
    engine = DuckDBEngine(con)
    # The plan's largest estimate is the scan of `src`, exact from the table's row count.
    assert engine.rows_read(_AGGREGATE) == 1000
    assert engine.rows_read("SELECT 1") == 1
    for file_rows, kind in ((1001, "TABLE"), (1000, "FILE")):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(engine_module, "FILE_ROWS", file_rows)
            engine.create_view(View("agg", _AGGREGATE, materialised=True), _AGGREGATE)
        assert _kind(con, "agg") == kind


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


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith(("COPY (", "INSERT INTO", "CREATE OR REPLACE TABLE"))]


def test_a_partitioned_declaration_collecting_lists_is_built_in_slices_with_the_same_rows(
    con: duckdb.DuckDBPyConnection, built_as: str
) -> None:
    engine = DuckDBEngine(con, rows_per_partition=100)
    statements = _statements(engine, con)
    engine.create_view(View("sliced", _LISTS, materialised=True, partitioned_by=("src", "k")), _LISTS)
    assert len(_writes(statements)) == 10, "1000 rows / 100 per slice"
    if built_as == "FILE":
        assert _files(engine, "sliced") == sorted(f"{k}.parquet" for k in range(10))
    # Lists compared sorted: a slice collects its group's values in no particular order.
    whole = "SELECT k, total, list_sort(vs) AS vs FROM ({sql})"
    diff = con.execute(
        f"SELECT count(*) FROM (({whole.format(sql='FROM sliced')} EXCEPT ALL {whole.format(sql=_LISTS)}) "
        f"UNION ALL ({whole.format(sql=_LISTS)} EXCEPT ALL {whole.format(sql='FROM sliced')}))"
    )
    assert diff.fetchone() == (0,)


def test_a_partitioned_declaration_of_sums_is_built_in_one_pass(
    con: duckdb.DuckDBPyConnection, built_as: str
) -> None:
    # Sums spill to disk beyond the memory limit: slices would only read the source again.
    engine = DuckDBEngine(con, rows_per_partition=100)
    statements = _statements(engine, con)
    engine.create_view(View("sums", _AGGREGATE, materialised=True, partitioned_by=("src", "k")), _AGGREGATE)
    writes = _writes(statements)
    assert len(writes) == 1
    assert writes[0].startswith(f"COPY ({_AGGREGATE}) TO ") or writes[0].endswith(
        f".main.sums AS {_AGGREGATE}"
    )
    assert _kind(con, "sums") == built_as
    assert con.execute("SELECT count(*), sum(total) FROM sums").fetchone() == (37, 499500)


def test_a_view_read_once_stays_plain_unless_it_would_be_built_in_slices(
    con: duckdb.DuckDBPyConnection, built_as: str
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
    assert kinds == ["VIEW", built_as, "VIEW", "VIEW"]
    assert con.execute("SELECT count(*), sum(total) FROM big").fetchone() == (37, 499500)


def test_a_later_run_may_build_a_view_the_other_way(con: duckdb.DuckDBPyConnection) -> None:
    engine = DuckDBEngine(con)
    ways = (
        (True, 1, "VIEW"),
        (False, 1, "FILE"),
        (False, 10**12, "TABLE"),
        (False, 1, "FILE"),
        (True, 1, "VIEW"),
    )
    for read_once, file_rows, kind in ways:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(engine_module, "FILE_ROWS", file_rows)
            engine.create_view(View("agg", _AGGREGATE, materialised=True, read_once=read_once), _AGGREGATE)
        assert _kind(con, "agg") == kind
        assert _files(engine, "agg") == (["0.parquet"] if kind == "FILE" else [])
    assert con.execute("SELECT count(*) FROM agg").fetchone() == (37,)


def test_view_names_are_checked(con: duckdb.DuckDBPyConnection) -> None:
    class _Bad:
        name = "x; DROP TABLE src"
        materialised = False
        partitioned_by = None
        read_once = False

    with pytest.raises(RuleError, match="invalid view name"):
        DuckDBEngine(con).create_view(_Bad(), "SELECT 1")


def test_built_views_keep_their_types_and_closing_the_engine_frees_them(
    con: duckdb.DuckDBPyConnection, built_as: str
) -> None:
    typed = (
        "SELECT k, CAST(sum(v) / 7 AS DECIMAL(18,4)) AS amount, "
        "DATE '2026-02-28' + CAST(k AS INTEGER) AS day, "
        "TIMESTAMPTZ '2026-12-31 23:30:00+08' AS charged_at, list(v) AS vs, NULL::VARCHAR AS missing "
        "FROM src GROUP BY k"
    )
    engine = DuckDBEngine(con)
    engine.create_view(View("typed", typed, materialised=True), typed)
    assert _kind(con, "typed") == built_as
    shape = "SELECT column_name, column_type FROM (DESCRIBE {})"
    assert con.execute(shape.format("typed")).fetchall() == con.execute(shape.format(typed)).fetchall()
    rows = "SELECT k, amount, day, CAST(charged_at AS VARCHAR), list_sort(vs), missing FROM ({}) ORDER BY k"
    assert con.execute(rows.format("FROM typed")).fetchall() == con.execute(rows.format(typed)).fetchall()
    folder, scratch = engine._folder, engine._scratch
    engine.close()
    attached = [r[0] for r in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()]
    assert scratch is None or scratch not in attached
    assert folder is None or not folder.exists()
    assert (folder, scratch) != (None, None), "the view was built somewhere"
    engine.close()  # closing twice is harmless


def test_a_store_in_a_data_folder_writes_large_views_under_its_scratch_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "FILE_ROWS", 1)
    con = duckdb.connect(str(tmp_path / "store.duckdb"))
    con.execute("CREATE TABLE src AS SELECT i % 37 AS k, i AS v FROM range(1000) t(i)")
    engine = DuckDBEngine(con)
    engine.create_view(View("built", _AGGREGATE, materialised=True), _AGGREGATE)
    assert engine._folder is not None
    assert engine._folder.parent == tmp_path / "scratch"
    assert engine._folder.name.startswith(f"views-{os.getpid()}-")
    engine.close()
    assert list((tmp_path / "scratch").iterdir()) == []
    con.close()


def test_a_data_folder_where_nothing_can_be_written_falls_back_to_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "FILE_ROWS", 1)
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path / "tmp"))
    blocked = tmp_path / "home"
    blocked.mkdir()
    (blocked / "scratch").write_text("a file where the scratch folder would go")
    monkeypatch.setattr(engine_module, "home_of", lambda _con: blocked)
    con = duckdb.connect()
    con.execute("CREATE TABLE src AS SELECT i % 37 AS k, i AS v FROM range(1000) t(i)")
    engine = DuckDBEngine(con)
    engine.create_view(View("built", _AGGREGATE, materialised=True), _AGGREGATE)
    assert engine._folder is not None
    assert engine._folder.parent == tmp_path / "tmp" / "sanjianguan"
    assert con.execute("SELECT count(*), sum(total) FROM built").fetchone() == (37, 499500)
    engine.close()


def test_the_folders_of_ended_runs_are_swept_and_a_running_ones_kept(tmp_path: Path) -> None:
    code = "import os; print(os.getpid())"
    ended = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    dead = tmp_path / f"views-{ended.stdout.strip()}-abc"
    alive = tmp_path / f"views-{os.getpid()}-def"
    other = tmp_path / "notes"
    for folder in (dead, alive, other):
        (folder / "p_fee_lines").mkdir(parents=True)
    sweep_ended_runs(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([alive.name, other.name])


def test_views_are_built_on_a_store_opened_read_only(tmp_path: Path, built_as: str) -> None:
    path = tmp_path / "store.duckdb"
    with duckdb.connect(str(path)) as writer:
        writer.execute("CREATE TABLE src AS SELECT i % 37 AS k, i AS v FROM range(1000) t(i)")
    con = duckdb.connect(str(path), read_only=True)
    engine = DuckDBEngine(con)
    engine.create_view(View("built", _AGGREGATE, materialised=True), _AGGREGATE)
    assert _kind(con, "built") == built_as
    assert con.execute("SELECT count(*), sum(total) FROM built").fetchone() == (37, 499500)
    engine.close()
    con.close()


def test_releasing_a_built_view_drops_it_and_a_plain_one_stays(
    con: duckdb.DuckDBPyConnection, built_as: str
) -> None:
    engine = DuckDBEngine(con)
    engine.create_view(View("built", _AGGREGATE, materialised=True), _AGGREGATE)
    engine.create_view(View("plain", _AGGREGATE), _AGGREGATE)
    assert _kind(con, "built") == built_as
    engine.release_view("built")
    engine.release_view("plain")
    assert con.execute("SELECT count(*) FROM plain").fetchone() == (37,)
    with pytest.raises(duckdb.CatalogException, match="built"):
        con.execute("SELECT count(*) FROM built")
    assert _files(engine, "built") == []
    left = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name LIKE 'sjg_scratch_%'")
    assert left.fetchone() == (0,)
