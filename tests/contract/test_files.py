"""Staging files: encodings and spreadsheets."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from sanjianguan.contract.files import detect_encoding, stage_file
from sanjianguan.errors import ContractError
from tests.contract.batchkit import write_table

ROWS = [{"encounter_id": "E1", "department": "内科"}, {"encounter_id": "E2", "department": "外科"}]


@pytest.mark.parametrize(
    ("encoding", "detected"), [("gb18030", "gb18030"), ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8")]
)
def test_csv_encodings(tmp_path: Path, encoding: str, detected: str) -> None:
    path = write_table(tmp_path / "t.csv", ROWS, encoding=encoding)
    assert detect_encoding(path) == detected
    con = duckdb.connect()
    staged = stage_file(con, path, "stg")
    assert staged.headers == ("encounter_id", "department")
    assert con.execute("SELECT _row, department FROM stg ORDER BY _row").fetchall() == [
        (2, "内科"),
        (3, "外科"),
    ]


def test_xlsx_rows_numbered_like_the_sheet(tmp_path: Path) -> None:
    path = write_table(tmp_path / "t.xlsx", ROWS)
    con = duckdb.connect()
    assert stage_file(con, path, "stg").rows == 2
    assert con.execute("SELECT _row, encounter_id FROM stg ORDER BY _row").fetchall() == [
        (2, "E1"),
        (3, "E2"),
    ]


def test_stray_carriage_return_in_the_header_rejects_the_file_by_name(tmp_path: Path) -> None:
    """A CR inside the header line (a corrupted file) never escapes as Python's csv error:
    the file is rejected as unreadable, with its name."""
    path = tmp_path / "t.csv"
    path.write_bytes(b"encounter_id,depa\rrtment\nE1,\xe5\x86\x85\xe7\xa7\x91\n")
    with pytest.raises(ContractError, match="unreadable file") as raised:
        stage_file(duckdb.connect(), path, "stg")
    assert raised.value.file == str(path)
