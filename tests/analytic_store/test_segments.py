"""Fee lines kept as Parquet segments: when a file is kept, that readers see the same rows
as the native path would store, replacement, rollback, re-mapping, moves and upgrades."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sanjianguan.analytic_store import keys, load_segment, loader, segments
from sanjianguan.analytic_store.codemap import load_code_map
from sanjianguan.analytic_store.database import ensure_schema, open_store, salt
from sanjianguan.analytic_store.loader import LoadReport, load_batch
from sanjianguan.analytic_store.status import store_status
from sanjianguan.config import Settings
from sanjianguan.context import Context
from tests.contract.batchkit import INSTITUTION, Row, valid_rows, write_batch, write_typed_table

RECEIVED = datetime(2025, 4, 3, 9, 0)
OTHER = "H51150200002"
Load = Callable[..., LoadReport]


@pytest.fixture
def load(con: duckdb.DuckDBPyConnection, home: Path) -> Load:
    def _load(path: Path) -> LoadReport:
        return load_batch(con, path, salt=salt(home), settings=Settings(), received_at=RECEIVED)

    return _load


def typed_batch(
    folder: Path,
    fee_rows: list[Row] | None = None,
    *,
    manifest: dict[str, object] | None = None,
    rows: dict[str, list[Row]] | None = None,
    drop: tuple[str, ...] = (),
    columns: list[str] | None = None,
) -> Path:
    """The valid batch, its fee lines as a typed Parquet file (the other tables as CSV)."""
    tables = {**valid_rows(), **(rows or {})}
    write_batch(folder, rows=tables, manifest=manifest, drop=("fee_items", *drop))
    fee = tables["fee_items"] if fee_rows is None else fee_rows
    write_typed_table(folder / "fee_items.parquet", "fee_items", fee, columns=columns)
    return folder


def catalogue(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return con.execute("SELECT batch_id, period, path, rows, institutions FROM fee_segments").fetchall()


def fee_view(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return con.execute("SELECT * FROM fee_items ORDER BY institution_id, line_id").fetchall()


def count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def segment_files(home: Path) -> list[Path]:
    return sorted((home / segments.SEGMENT_ROOT).glob("**/*.parquet"))


# ------------------------------------------------------------------ kept as a segment


def test_clean_typed_file_is_kept_whole_with_its_institution(
    con: duckdb.DuckDBPyConnection, load: Load, home: Path, tmp_path: Path
) -> None:
    folder = typed_batch(tmp_path / "b")
    report = load(folder)
    assert report.status == "accepted"
    assert report.accepted_by_table["fee_items"] == 3
    [(batch_id, period, path, rows, institutions)] = catalogue(con)
    assert (batch_id, period, rows, institutions) == (report.batch_id, "2025-03", 3, [INSTITUTION])
    sent = f"read_parquet('{folder / 'fee_items.parquet'}')"
    kept = f"read_parquet('{home / path}', hive_partitioning = false)"
    as_sent = f"SELECT * EXCLUDE (institution_id) FROM {kept} EXCEPT ALL SELECT * FROM {sent}"
    assert con.execute(as_sent).fetchall() == []
    assert count(con, f"SELECT count(*) FROM {kept}") == 3
    assert con.execute(f"SELECT DISTINCT institution_id FROM {kept}").fetchall() == [(INSTITUTION,)]
    assert con.execute(f"DESCRIBE SELECT * FROM {kept}").fetchall() == [
        *con.execute(f"DESCRIBE SELECT * FROM {sent}").fetchall(),
        ("institution_id", "VARCHAR", "YES", None, None, None),
    ]
    view = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'fee_items'").fetchone()
    assert view is not None
    assert "JOIN encounters" not in view[0]  # read as kept, no join per line
    assert count(con, "SELECT count(*) FROM fee_lines") == 0
    assert {(r[0], r[-3], r[-2], r[-1]) for r in fee_view(con)} == {
        (INSTITUTION, "2025-03", "reported", report.batch_id)
    }
    assert store_status(con)["tables"]["fee_items"] == 3


def load_both(
    kept: Context, native: Context, monkeypatch: pytest.MonkeyPatch, *batches: Path
) -> tuple[list[LoadReport], list[LoadReport]]:
    reports: list[list[LoadReport]] = []
    for ctx in (kept, native):
        with monkeypatch.context() as patch, ctx.store() as con:
            if ctx is native:
                patch.setattr(loader, "_keeps_as_segment", lambda table: False)
            reports.append(
                [load_batch(con, b, salt="s", settings=ctx.settings, received_at=RECEIVED) for b in batches]
            )
    return reports[0], reports[1]


def test_segment_lines_read_exactly_as_native_lines(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same batches, one store keeping the file, one copying rows: identical fee_items,
    also for lines mapped from local codes at load and re-mapped by a later map."""
    fee = valid_rows()["fee_items"]
    fee[0]["item_code"] = None  # mapped at load: Y001 is in the map
    fee[1]["item_code"] = None  # unmapped at load: B001 is not
    fee[2]["item_name"] = "血常规"
    first_map = tmp_path / "map1.csv"
    first_map.write_text(
        f"institution_id,local_code,item_code\n{INSTITUTION},Y001,XJ01CAA001\n", encoding="utf-8"
    )
    second_map = tmp_path / "map2.csv"
    second_map.write_text(
        f"institution_id,local_code,item_code\n{INSTITUTION},Y001,XJ01CAA002\n{INSTITUTION},B001,001102000010000\n"
        f"{INSTITUTION},J001,999\n",
        encoding="utf-8",
    )
    kept, native = ctx, Context.open(tmp_path / "native")  # `ctx` cleared SJG_* from the environment
    for ctx in (kept, native):
        with ctx.store() as con:
            load_code_map(con, first_map)
    reports = load_both(kept, native, monkeypatch, typed_batch(tmp_path / "b", fee))
    assert [r.status for rs in reports for r in rs] == ["accepted", "accepted"]
    with kept.store() as k, native.store() as n:
        assert len(catalogue(k)) == 1
        assert catalogue(n) == []
        assert fee_view(k) == fee_view(n)
        assert [r[3] for r in fee_view(k)] == ["XJ01CAA001", None, "250101001"]
        assert [r[-2] for r in fee_view(k)] == ["mapped", None, "reported"]
        remapped = (load_code_map(k, second_map).lines_remapped, load_code_map(n, second_map).lines_remapped)
        assert remapped == (2, 2)  # Y001 changed, B001 set; J001's line reported its own code
        assert fee_view(k) == fee_view(n)
        assert [r[3] for r in fee_view(k)] == ["XJ01CAA002", "001102000010000", "250101001"]


# ------------------------------------------------------------------ when a file is not kept


def _untrimmed(fee: list[Row]) -> None:
    fee[0]["department"] = " 内科"


def _empty_text(fee: list[Row]) -> None:
    fee[0]["department"] = ""


def _amount_wrong(fee: list[Row]) -> None:
    fee[0]["amount"] = "99"


def _duplicate_key(fee: list[Row]) -> None:
    fee[1]["line_id"] = fee[0]["line_id"]


@pytest.mark.parametrize(
    ("change", "quarantined"),
    [(_untrimmed, 0), (_empty_text, 0), (_amount_wrong, 1), (_duplicate_key, 1)],
)
def test_files_that_loading_changes_go_to_the_table(
    con: duckdb.DuckDBPyConnection,
    load: Load,
    home: Path,
    tmp_path: Path,
    change: Callable[[list[Row]], None],
    quarantined: int,
) -> None:
    fee = valid_rows()["fee_items"]
    change(fee)
    report = load(typed_batch(tmp_path / "b", fee))
    assert report.status == "accepted"
    assert report.quarantined_by_table["fee_items"] == quarantined
    assert catalogue(con) == []
    assert segment_files(home) == []  # no segment file written
    assert count(con, "SELECT count(*) FROM fee_lines") == 3 - quarantined
    assert count(con, "SELECT count(*) FROM fee_items WHERE department = ' 内科' OR department = ''") == 0


def test_other_shapes_go_to_the_table(con: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path) -> None:
    # not every column; text Parquet; an alias header; an extra column
    load(
        typed_batch(
            tmp_path / "a",
            columns=[
                "line_id",
                "encounter_id",
                "item_code",
                "local_code",
                "item_type",
                "charged_at",
                "quantity",
                "unit_price",
                "amount",
            ],
        )
    )
    assert catalogue(con) == []
    rows = valid_rows()
    write_batch(
        tmp_path / "b",
        rows=rows,
        fmt={"fee_items": "parquet"},
        manifest={"produced_at": "2025-04-04T00:00:00"},
    )
    assert load(tmp_path / "b").status == "accepted"
    assert catalogue(con) == []
    fee = [{**r, "extra": "x"} for r in rows["fee_items"]]
    columns = [
        "line_id",
        "encounter_id",
        "item_code",
        "local_code",
        "item_name",
        "item_type",
        "charged_at",
        "quantity",
        "unit_price",
        "amount",
        "ordering_doctor_id",
        "department",
        "insurance_class",
        "extra",
    ]
    load(typed_batch(tmp_path / "c", fee, columns=columns, manifest={"produced_at": "2025-04-05T00:00:00"}))
    assert catalogue(con) == []
    assert count(con, "SELECT count(*) FROM extra_columns WHERE column_name = 'extra'") == 3


def test_lines_of_an_earlier_month_go_to_the_table(
    con: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path
) -> None:
    """A segment line takes its month from the path: lines of another month's encounters are not kept."""
    load(typed_batch(tmp_path / "a"))
    late = [{**valid_rows()["fee_items"][0], "line_id": "L900"}]
    others = ("encounters", "diagnoses", "procedures", "orders", "exam_reports", "consents")
    report = load(
        typed_batch(tmp_path / "b", late, manifest={"kind": "append", "period": "2025-04"}, drop=others)
    )
    assert report.accepted_by_table["fee_items"] == 1
    assert len(catalogue(con)) == 1
    assert con.execute("SELECT period FROM fee_lines").fetchall() == [("2025-03",)]


def test_key_already_stored_is_found_and_quarantined(
    con: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path
) -> None:
    load(typed_batch(tmp_path / "a"))
    again = [valid_rows()["fee_items"][0]]
    others = ("encounters", "diagnoses", "procedures", "orders", "exam_reports", "consents")
    report = load(typed_batch(tmp_path / "b", again, manifest={"kind": "append"}, drop=others))
    assert report.quarantined_by_table["fee_items"] == 1
    assert len(catalogue(con)) == 1
    assert count(con, "SELECT count(*) FROM quarantine WHERE reason LIKE '%key already in the store%'") == 1
    assert count(con, "SELECT count(*) FROM fee_items") == 3


# ------------------------------------------------------------------ keys already stored, by range

APPEND = {"kind": "append"}
CHILD_TABLES = ("encounters", "diagnoses", "procedures", "orders", "exam_reports", "consents")


def lines_named(*line_ids: str) -> list[Row]:
    """Fee lines like the first valid one, numbered `line_ids`."""
    first = valid_rows()["fee_items"][0]
    return [{**first, "line_id": line_id} for line_id in line_ids]


def appended(folder: Path, *line_ids: str) -> Path:
    """An append batch of the stored encounters' fee lines, numbered `line_ids`."""
    return typed_batch(folder, lines_named(*line_ids), manifest=APPEND, drop=CHILD_TABLES)


@contextmanager
def by_rows(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Loads inside take the row path: no file is kept as a segment."""
    with monkeypatch.context() as patch:
        patch.setattr(loader, "_keeps_as_segment", lambda table: False)
        yield patch


def read_stored_lines(*args: object) -> Any:
    """Stands in for a check that reads stored lines: a test whose load must not read them."""
    raise AssertionError("the stored lines were read")


def ranges(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return con.execute(
        "SELECT institution_id, period, lowest, highest FROM fee_line_ranges ORDER BY ALL"
    ).fetchall()


def test_segment_records_each_institutions_line_id_range(
    con: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path
) -> None:
    load(typed_batch(tmp_path / "a", lines_named("L007", "L001", "L003")))
    assert ranges(con) == [(INSTITUTION, "2025-03", "L001", "L007")]


def test_lines_beyond_every_stored_range_are_kept_without_reading_stored_lines(
    con: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The usual later month: line numbers above the stored ones prove no clash by themselves."""
    load(typed_batch(tmp_path / "a"))

    monkeypatch.setattr(load_segment, "_stored_keys_clash", read_stored_lines)
    report = load(appended(tmp_path / "b", "L004", "L005"))
    assert report.accepted_by_table["fee_items"] == 2
    assert len(catalogue(con)) == 2
    assert count(con, "SELECT count(*) FROM fee_items") == 5
    assert ranges(con) == [(INSTITUTION, "2025-03", "L001", "L003"), (INSTITUTION, "2025-03", "L004", "L005")]


def test_lines_inside_a_stored_range_are_checked_against_the_stored_lines(
    con: duckdb.DuckDBPyConnection, load: Load, home: Path, tmp_path: Path
) -> None:
    load(typed_batch(tmp_path / "a", lines_named("L001", "L009")))
    between = load(appended(tmp_path / "b", "L005"))
    assert (between.accepted_by_table["fee_items"], len(catalogue(con))) == (1, 2)
    again = load(appended(tmp_path / "c", "L006", "L009"))
    assert (again.accepted_by_table["fee_items"], again.quarantined_by_table["fee_items"]) == (1, 1)
    assert len(catalogue(con)) == 2  # the batch with a stored key went the row path
    assert len(segment_files(home)) == 2  # its written file was discarded
    assert count(con, "SELECT count(*) FROM fee_items WHERE line_id = 'L009'") == 1
    # The ranges of the row path's lines, not of the discarded file.
    assert ranges(con)[-1] == (INSTITUTION, "2025-03", "L006", "L006")


def every_key_alike(table: object, alias: str = "") -> str:
    """Stands in for the key hash: every line of an institution hashes alike, so each stored
    line the proof looks at is a clash."""
    return f"hash({alias}institution_id)"


@pytest.mark.parametrize("path", ["segment", "rows"])
def test_only_stored_lines_inside_the_batchs_own_ranges_are_checked(
    con: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """L005 lies inside the stored range L001–L009, but no stored line lies inside L005–L005:
    had the proof looked at L001 or L009 (whose stand-in hashes equal L005's), the line would
    have left its fast path for the exact one."""
    load(typed_batch(tmp_path / "a", lines_named("L001", "L009")))
    monkeypatch.setattr(keys, "key_hash_sql", every_key_alike)
    monkeypatch.setattr(load_segment, "key_hash_sql", every_key_alike)
    exact = loader.load_exact

    def fee_lines_not_exact(con: duckdb.DuckDBPyConnection, table: Any, *args: Any) -> Any:
        if table.name == "fee_items":
            read_stored_lines()
        return exact(con, table, *args)

    monkeypatch.setattr(loader, "load_exact", fee_lines_not_exact)
    with by_rows(monkeypatch) if path == "rows" else nullcontext():
        report = load(appended(tmp_path / "b", "L005"))
    assert report.accepted_by_table["fee_items"] == 1
    assert len(catalogue(con)) == (2 if path == "segment" else 1)  # a segment is kept: no clash seen
    assert count(con, "SELECT count(*) FROM fee_items") == 3


def test_stored_lines_of_another_institutions_range_are_not_checked(
    con: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A region batch: the other hospital's stored L005 lies between the batch's lowest and
    highest line, but not inside the range the batch recorded for that hospital (L006)."""
    rows = two_institution_rows()
    own, other = valid_rows()["fee_items"][0], rows["fee_items"][-1]

    def region(folder: str, mine: list[str], theirs: list[str], appending: bool) -> Path:
        fee = [{**own, "line_id": n} for n in mine] + [{**other, "line_id": n} for n in theirs]
        manifest = {"institution_id": None, **(APPEND if appending else {})}
        drop = CHILD_TABLES if appending else ()
        return typed_batch(tmp_path / folder, fee, rows=rows, manifest=manifest, drop=drop)

    load(region("a", ["L001", "L009"], ["L005"], appending=False))
    monkeypatch.setattr(keys, "key_hash_sql", every_key_alike)
    monkeypatch.setattr(load_segment, "key_hash_sql", every_key_alike)
    report = load(region("b", ["L004"], ["L006"], appending=True))
    assert report.status == "accepted"
    assert report.accepted_by_table["fee_items"] == 2
    assert len(catalogue(con)) == 2  # kept as a segment: no clash seen


def test_a_store_made_before_the_ranges_gets_them_from_its_lines(
    con: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its first write open records every stored line's range, segment or native."""
    load(typed_batch(tmp_path / "a"))
    with by_rows(monkeypatch):
        load(appended(tmp_path / "b", "L011", "L012"))
    before = ranges(con)
    con.execute("DROP TABLE fee_line_ranges")
    ensure_schema(con)
    assert before == [(INSTITUTION, "2025-03", "L001", "L003"), (INSTITUTION, "2025-03", "L011", "L012")]
    assert ranges(con) == before
    report = load(appended(tmp_path / "c", "L012"))
    assert report.quarantined_by_table["fee_items"] == 1


def test_native_line_inside_the_range_is_checked(
    con: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines the row path stored have their ranges too: a batch meeting them is checked."""
    with by_rows(monkeypatch):
        load(typed_batch(tmp_path / "a"))
    assert catalogue(con) == []
    assert ranges(con) == [(INSTITUTION, "2025-03", "L001", "L003")]
    report = load(appended(tmp_path / "b", "L000", "L002"))
    assert (report.accepted_by_table["fee_items"], report.quarantined_by_table["fee_items"]) == (1, 1)
    assert count(con, "SELECT count(*) FROM fee_items WHERE line_id = 'L002'") == 1


def test_row_path_beyond_every_range_reads_no_stored_line(
    con: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CSV month above the stored ones proves its keys new without the stored lines."""
    load(typed_batch(tmp_path / "a"))
    with by_rows(monkeypatch) as patch:
        patch.setattr(keys, "stored_key_clash_sql", read_stored_lines)
        report = load(appended(tmp_path / "b", "L004"))
    assert report.accepted_by_table["fee_items"] == 1
    assert count(con, "SELECT count(*) FROM fee_lines") == 1


def test_a_replaced_month_takes_its_ranges_with_it(
    con: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A corrected month sent again as `full` does not meet the ranges of the lines it replaces."""
    load(typed_batch(tmp_path / "a"))
    fee = valid_rows()["fee_items"]
    fee[0]["charged_at"] = "2025-03-01 10:00:00"  # a corrected month: the same lines, one time changed

    monkeypatch.setattr(load_segment, "_stored_keys_clash", read_stored_lines)
    report = load(typed_batch(tmp_path / "b", fee, manifest={"produced_at": "2025-04-05T00:00:00"}))
    assert report.accepted_by_table["fee_items"] == 3
    assert len(catalogue(con)) == 1
    assert ranges(con) == [(INSTITUTION, "2025-03", "L001", "L003")]


def test_code_in_scientific_notation_is_not_kept_but_quarantined(
    con: duckdb.DuckDBPyConnection, load: Load, tmp_path: Path
) -> None:
    """The in-place pass sees the same finding as the row-by-row path: the file is not kept."""
    fee = valid_rows()["fee_items"]
    fee[1]["item_code"] = "1.102E+12"
    report = load(typed_batch(tmp_path / "b", fee))
    assert (report.accepted_by_table["fee_items"], report.quarantined_by_table["fee_items"]) == (2, 1)
    assert catalogue(con) == []
    assert con.execute("SELECT line_id FROM fee_lines ORDER BY 1").fetchall() == [("L001",), ("L003",)]
    assert con.execute("SELECT row_number, field FROM quarantine").fetchall() == [(3, "item_code")]


# ------------------------------------------------------------------ replacement, rollback, files


def test_full_batch_replaces_a_segment_and_its_file(
    con: duckdb.DuckDBPyConnection, load: Load, home: Path, tmp_path: Path
) -> None:
    first = load(typed_batch(tmp_path / "a"))
    [old] = segment_files(home)
    second = load(
        typed_batch(
            tmp_path / "b", valid_rows()["fee_items"][:2], manifest={"produced_at": "2025-04-09T00:00:00"}
        )
    )
    assert second.status == "accepted"
    assert second.batch_id != first.batch_id
    assert [r[0] for r in catalogue(con)] == [second.batch_id]
    assert not old.exists()
    assert len(segment_files(home)) == 1
    assert count(con, "SELECT count(*) FROM fee_items") == 2


def two_institution_rows() -> dict[str, list[Row]]:
    rows = valid_rows()
    rows["institutions"].append(
        {**rows["institutions"][0], "institution_id": OTHER, "name": "宜宾市第二人民医院"}
    )
    rows["encounters"].append({**rows["encounters"][1], "encounter_id": "E900", "institution_id": OTHER})
    rows["fee_items"].append(
        {**rows["fee_items"][2], "encounter_id": "E900"}
    )  # L003 again: keys are per institution
    return rows


def test_replacing_one_institution_keeps_the_others_lines(
    con: duckdb.DuckDBPyConnection, load: Load, home: Path, tmp_path: Path
) -> None:
    rows = two_institution_rows()
    region = load(typed_batch(tmp_path / "region", rows=rows, manifest={"institution_id": None}))
    assert region.status == "accepted"
    assert catalogue(con)[0][4] == sorted([INSTITUTION, OTHER])
    before_other = con.execute("SELECT * FROM fee_items WHERE institution_id = ?", [OTHER]).fetchall()
    report = load(
        typed_batch(
            tmp_path / "h1", valid_rows()["fee_items"][:1], manifest={"produced_at": "2025-04-09T00:00:00"}
        )
    )
    assert report.status == "accepted"
    assert [r[0] for r in catalogue(con)] == [report.batch_id]
    assert con.execute("SELECT * FROM fee_lines").fetchall() == before_other
    assert con.execute("SELECT * FROM fee_items WHERE institution_id = ?", [OTHER]).fetchall() == before_other
    assert count(con, f"SELECT count(*) FROM fee_items WHERE institution_id = '{INSTITUTION}'") == 1
    assert len(segment_files(home)) == 1


def test_rolled_back_batch_leaves_no_file(
    con: duckdb.DuckDBPyConnection, load: Load, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = loader._load_table

    def failing(
        con: duckdb.DuckDBPyConnection, table: loader.StagedTable, *args: Any
    ) -> set[tuple[str, str]]:
        if table.name == "orders":
            raise duckdb.Error("disk full")
        return real(con, table, *args)

    monkeypatch.setattr(loader, "_load_table", failing)
    report = load(typed_batch(tmp_path / "b"))
    assert report.status == "rejected"
    assert "disk full" in report.message
    assert catalogue(con) == []
    assert segment_files(home) == []
    assert count(con, "SELECT count(*) FROM fee_items") == 0


def test_segment_file_that_cannot_be_written_rejects_the_batch(
    con: duckdb.DuckDBPyConnection, load: Load, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(con: duckdb.DuckDBPyConnection, lines: str, target: Path) -> int:
        target.write_bytes(b"PAR")  # a partial file, as a full disk leaves it
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(segments, "_write", disk_full)
    report = load(typed_batch(tmp_path / "b"))
    assert report.status == "rejected"
    assert "No space left on device" in report.message
    assert catalogue(con) == []
    assert segment_files(home) == []
    assert count(con, "SELECT count(*) FROM encounters") == 0
    assert count(con, "SELECT count(*) FROM batches WHERE status = 'rejected'") == 1


def test_orphan_file_is_swept_at_the_next_write_open(ctx: Context, tmp_path: Path) -> None:
    orphan = ctx.home / segments.segment_path("2025-03", "crashed")
    with ctx.store():
        orphan.parent.mkdir(parents=True)
        orphan.write_bytes(b"PAR1")
    with ctx.store(read_only=True):
        assert orphan.exists()
    with ctx.store():
        assert not orphan.exists()
        assert not orphan.parent.exists()


def test_moved_data_folder_still_reads_its_segments(ctx: Context, tmp_path: Path) -> None:
    with ctx.store() as con:
        load_batch(con, typed_batch(tmp_path / "b"), salt="s", settings=ctx.settings)
    moved = tmp_path / "moved"
    shutil.move(ctx.home, moved)
    con = open_store(moved, ctx.settings, read_only=True)
    try:
        assert count(con, "SELECT count(*) FROM fee_items") == 3
    finally:
        con.close()


def test_store_reads_its_segments_from_any_working_directory(
    ctx: Context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only the data folder's own cwd: a cursor, a plain DuckDB client, a relative home."""
    with ctx.store() as con:
        load_batch(con, typed_batch(tmp_path / "b"), salt="s", settings=ctx.settings)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with Context.open(Path("..") / ctx.home.name).store(read_only=True) as con:
        assert count(con, "SELECT count(*) FROM fee_items") == 3
        assert count(con.cursor(), "SELECT count(*) FROM fee_items") == 3
    with duckdb.connect(str(ctx.home / "store.duckdb"), read_only=True) as plain:
        assert count(plain, "SELECT count(*) FROM fee_items") == 3


def test_write_open_of_a_moved_folder_rebuilds_the_view(ctx: Context, tmp_path: Path) -> None:
    with ctx.store() as con:
        load_batch(con, typed_batch(tmp_path / "b"), salt="s", settings=ctx.settings)
    moved = tmp_path / "moved"
    shutil.move(ctx.home, moved)
    open_store(moved, ctx.settings).close()
    with duckdb.connect(str(moved / "store.duckdb"), read_only=True) as plain:
        assert count(plain, "SELECT count(*) FROM fee_items") == 3


def test_segment_kept_before_institutions_were_written_is_read_through_its_encounters(
    ctx: Context, tmp_path: Path
) -> None:
    """A store whose catalogue predates `carries_institution`, with the file as it was sent."""
    folder = typed_batch(tmp_path / "b")
    with ctx.store() as con:
        load_batch(con, folder, salt="s", settings=ctx.settings)
        lines = fee_view(con)
        [(path,)] = con.execute("SELECT path FROM fee_segments").fetchall()
        con.execute("ALTER TABLE fee_segments DROP COLUMN carries_institution")
    shutil.copyfile(folder / "fee_items.parquet", ctx.home / path)
    with ctx.store() as con:
        assert con.execute("SELECT carries_institution FROM fee_segments").fetchall() == [(False,)]
        assert fee_view(con) == lines
        view = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'fee_items'").fetchone()
        assert view is not None
        assert "JOIN encounters" in view[0]


def test_schema_1_store_is_upgraded(home: Path, ctx: Context) -> None:
    """A store made before segments had a table `fee_items`: its rows move to `fee_lines`."""
    with ctx.store() as con:
        columns = [r[0] for r in con.execute("DESCRIBE fee_lines").fetchall()]
    path = home / "store.duckdb"
    path.unlink()
    with duckdb.connect(str(path)) as old:
        old.execute(f"CREATE TABLE fee_items ({', '.join(f'{c} VARCHAR' for c in columns)})")
        old.execute("INSERT INTO fee_items (institution_id, line_id, batch_id) VALUES ('H1', 'L1', 'B1')")
    with ctx.store() as con:
        assert con.execute("SELECT line_id FROM fee_lines").fetchall() == [("L1",)]
        assert con.execute("SELECT institution_id, line_id FROM fee_items").fetchall() == [("H1", "L1")]
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("2",)
