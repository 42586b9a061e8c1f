"""Code mapping (对码): loading a mapping file, re-mapping fee lines, the unmapped queue."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import sanjianguan.cli
from sanjianguan.analytic_store.codemap import CodeMapError, load_code_map, unmapped_queue
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from sanjianguan.errors import ContractError
from tests.analytic_store.storekit import add, rows

UNMAPPED = {"item_code": None, "item_code_source": None}


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def seed(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "fee_items", line_id="L1", local_code="A", amount=Decimal(10), **UNMAPPED)
    add(con, "fee_items", line_id="L2", local_code="A", item_code="OLD", item_code_source="mapped")
    add(con, "fee_items", line_id="L3", local_code="A", item_code="REP", item_code_source="reported")
    add(con, "fee_items", line_id="L4", local_code="B", item_name="床位费", amount=Decimal(50), **UNMAPPED)
    add(con, "fee_items", institution_id="H2", line_id="L1", local_code="A", amount=Decimal(30), **UNMAPPED)


def codes(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    found = rows(con, "SELECT institution_id, line_id, item_code, item_code_source FROM fee_items")
    return {(inst, line): (code, source) for inst, line, code, source in found}


def test_load_remaps_mapped_and_unmapped_lines_only(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    seed(con)
    text = "institution_id,local_code,item_code,item_name\nH1,A,NEW,甲药\nH1,C,XC,\nH1,A,NEW,甲药\n"
    report = load_code_map(con, write(tmp_path / "map.csv", text))
    assert (report.rows_read, report.entries, report.institutions, report.lines_remapped) == (
        3,
        2,
        ("H1",),
        2,
    )
    assert codes(con) == {
        ("H1", "L1"): ("NEW", "mapped"),
        ("H1", "L2"): ("NEW", "mapped"),
        ("H1", "L3"): ("REP", "reported"),  # the institution's own code is never overwritten
        ("H1", "L4"): (None, None),
        ("H2", "L1"): (None, None),  # another institution's local code A is another item
    }
    assert rows(con, "SELECT institution_id, local_code, item_code, source FROM code_map ORDER BY 2") == [
        ("H1", "A", "NEW", "map.csv"),
        ("H1", "C", "XC", "map.csv"),
    ]


def test_reload_is_idempotent_and_a_new_map_wins(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    seed(con)
    first = write(tmp_path / "map.csv", "institution_id,local_code,item_code\nH1,A,NEW\n")
    load_code_map(con, first)
    assert load_code_map(con, first).lines_remapped == 0
    second = write(tmp_path / "map2.csv", "institution_id,local_code,item_code\nH1,A,NEWER\n")
    assert load_code_map(con, second).lines_remapped == 2
    assert codes(con)[("H1", "L2")] == ("NEWER", "mapped")
    assert rows(con, "SELECT item_code, source FROM code_map") == [("NEWER", "map2.csv")]


def test_unmapped_queue_shrinks(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    seed(con)
    before = unmapped_queue(con)
    assert [(r["institution_id"], r["local_code"], r["lines"], r["amount"]) for r in before] == [
        ("H1", "B", 1, Decimal(50)),  # largest amount first
        ("H2", "A", 1, Decimal(30)),
        ("H1", "A", 1, Decimal(10)),
    ]
    assert before[0]["item_name"] == "床位费"
    load_code_map(con, write(tmp_path / "m.csv", "fixmedins_code,hosplist_code,hilist_code\nH1,A,NEW\n"))
    after = unmapped_queue(con)
    assert [(r["institution_id"], r["local_code"]) for r in after] == [("H1", "B"), ("H2", "A")]
    assert [r["local_code"] for r in unmapped_queue(con, institution_id="H2")] == ["A"]
    assert unmapped_queue(con, period="2025-02") == []


def test_xlsx_and_national_names(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    import openpyxl

    seed(con)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["fixmedins_code", "medins_list_codg", "hilist_code", "hilist_name"])
    sheet.append(["H2", "A", "N2", "乙药"])
    book.save(tmp_path / "map.xlsx")
    assert load_code_map(con, tmp_path / "map.xlsx").lines_remapped == 1
    assert codes(con)[("H2", "L1")] == ("N2", "mapped")


def test_conflicting_duplicates_reject_the_file(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    seed(con)
    text = "institution_id,local_code,item_code\nH1,A,X1\nH1,B,Y\nH1,A,X2\n"
    with pytest.raises(CodeMapError) as caught:
        load_code_map(con, write(tmp_path / "bad.csv", text))
    message = str(caught.value)
    assert "bad.csv" in message
    assert "第 2、4 行" in message
    assert "rows 2, 4: institution H1 local_code A maps to conflicting item_code X1, X2" in message
    assert rows(con, "SELECT count(*) FROM code_map") == [(0,)]  # nothing applied
    assert codes(con)[("H1", "L1")] == (None, None)


def test_empty_values_are_named_by_row_and_field(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    text = "institution_id,hilist_code,local_code\nH1,X,A\nH1, ,B\n"
    with pytest.raises(CodeMapError) as caught:
        load_code_map(con, write(tmp_path / "gaps.csv", text))
    assert caught.value.problems == [
        "第 3 行：item_code（列 hilist_code）为空 / row 3: item_code (column hilist_code) is empty"
    ]


def test_missing_column_rejects_the_file(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="item_code") as caught:
        load_code_map(con, write(tmp_path / "cols.csv", "institution_id,local_code\nH1,A\n"))
    assert caught.value.file is not None
    assert caught.value.file.endswith("cols.csv")
    assert caught.value.column == "item_code"


def test_cli_load_and_unmapped(ctx: Context, tmp_path: Path) -> None:
    with ctx.store() as con:
        seed(con)
    sanjianguan.cli._register()
    runner = CliRunner()
    mapping = write(tmp_path / "map.csv", "institution_id,local_code,item_code\nH1,A,NEW\n")
    loaded = runner.invoke(app, ["--home", str(ctx.home), "map", "load", str(mapping)])
    assert loaded.exit_code == 0, loaded.output
    assert "重新对码费用明细 2 条" in loaded.stdout
    queue = runner.invoke(app, ["--home", str(ctx.home), "map", "unmapped", "--format", "csv"])
    assert queue.exit_code == 0, queue.output
    assert queue.stdout.splitlines() == [
        "institution_id,local_code,item_name,lines,amount",
        "H1,B,床位费,1,50",
        "H2,A,,1,30",
    ]  # decimals exact in their shortest form (sanjianguan.tabular)
    zh = ["--home", str(ctx.home), "map", "unmapped", "--format", "csv", "--headers", "zh"]
    chinese = runner.invoke(app, zh).stdout.splitlines()
    assert chinese == ["机构编码,院内编码,项目名称,明细条数,金额(元)", *queue.stdout.splitlines()[1:]]
    table = runner.invoke(app, ["--home", str(ctx.home), "map", "unmapped", "--institution", "H1"])
    assert "院内编码" in table.stdout
    assert "床位费" in table.stdout
    assert "H2" not in table.stdout
