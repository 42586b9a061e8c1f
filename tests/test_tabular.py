"""The one CSV convention (sanjianguan.tabular): BOM in files, header languages, exact cells."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from sanjianguan.tabular import BOM, Headers, cell, csv_text, header_row, write_csv

COLUMNS = ("institution_id", "value", "failing")
LABELS = {"institution_id": "机构编码", "value": "指标值", "failing": "不达标"}


def test_a_file_is_utf8_with_a_bom_and_reads_back(tmp_path: Path) -> None:
    rows = [{"institution_id": "H1", "value": Decimal("0.333333333333333333"), "failing": True}]
    out = tmp_path / "sub" / "x.csv"
    assert write_csv(out, COLUMNS, iter(rows), LABELS) == 1
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert read == [{"institution_id": "H1", "value": "0.333333333333333333", "failing": "true"}]
    assert Decimal(read[0]["value"]) == rows[0]["value"]


def test_headers_en_or_zh() -> None:
    assert header_row(COLUMNS, LABELS, Headers.EN) == list(COLUMNS)
    assert header_row(COLUMNS, LABELS, Headers.ZH) == ["机构编码", "指标值", "不达标"]
    with pytest.raises(KeyError, match="value"):
        header_row(COLUMNS, {"institution_id": "机构编码"}, Headers.ZH)
    text = csv_text(COLUMNS, [], LABELS, Headers.ZH)
    assert text == "机构编码,指标值,不达标\n"
    assert not text.startswith(BOM)  # standard output: no BOM


def test_cells_keep_full_precision() -> None:
    assert [cell(Decimal(x)) for x in ("0.500000", "100", "1E+2", "-0.000", "12.3400")] == [
        "0.5",
        "100",
        "100",
        "0",
        "12.34",
    ]
    assert cell(2 / 3) == "0.6666666666666666"
    assert float(cell(2 / 3)) == 2 / 3
    assert (cell(None), cell(False), cell("中文")) == ("", "false", "中文")
