"""Issue 10 items 8, 9 and 15: files that must be rejected, with a record, before they do harm.

- 8: Big5, Shift-JIS and Latin-1 CSVs were stored as garbage (宋志 → "Шв", "Müller" →
  "M黮ler"); genuine GB18030 text, rare name characters included, still loads.
- 9: a CSV with 10 000 extra columns did not finish in 300 s: the width is capped.
- 15: a NUL-filled `orders.csv` crashed ingest with no batch record; a zip that expands
  a thousandfold (a zip bomb) is refused before extraction.
"""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sanjianguan.analytic_store.database import salt
from sanjianguan.analytic_store.loader import LoadReport, load_batch
from sanjianguan.config import IngestSettings, Settings
from tests.contract.batchkit import INSTITUTION, write_batch, write_table, zip_batch

RECEIVED = datetime(2025, 4, 3, 9, 0)
MB = 1024 * 1024


@pytest.fixture
def load(con: duckdb.DuckDBPyConnection, home: Path) -> Any:
    def _load(path: Path, settings: Settings | None = None) -> LoadReport:
        return load_batch(con, path, salt=salt(home), settings=settings or Settings(), received_at=RECEIVED)

    return _load


def recorded(con: duckdb.DuckDBPyConnection, report: LoadReport) -> list[tuple[str, str]]:
    rows = con.execute("SELECT status, message FROM batches WHERE batch_id = ?", [report.batch_id]).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def staff(names: list[str]) -> list[dict[str, str | None]]:
    return [
        {"staff_id": f"D{i:03d}", "institution_id": INSTITUTION, "role": "doctor", "name": n, "sex": "1"}
        for i, n in enumerate(names, start=1)
    ]


# ------------------------------------------------------------------ item 8: encodings


@pytest.mark.parametrize(
    ("encoding", "names"),
    [
        ("big5", ["宋志", "張偉明", "李娜", "陳國強", "黃淑芬"]),
        ("shift_jis", ["宋志", "田中太郎", "鈴木一郎", "佐藤花子"]),
        ("latin-1", ["Müller", "Françoise Dubois", "Björn Ångström"]),
        ("latin-1", ["José García", "Zoë"]),  # é before a comma: not even GB18030
    ],
)
def test_wrong_encoding_rejected_naming_the_file(
    con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path, encoding: str, names: list[str]
) -> None:
    folder = write_batch(tmp_path / "b")
    write_table(folder / "staff.csv", staff(names), encoding=encoding)
    report = load(folder)
    assert report.status == "rejected"
    assert "staff.csv" in report.message
    assert "UTF-8" in report.message
    assert recorded(con, report) == [("rejected", report.message)]
    assert con.execute("SELECT count(*) FROM staff").fetchone() == (0,)


def test_genuine_gb18030_with_rare_name_characters_loads(
    con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path
) -> None:
    names = ["张喆", "李堃", "王昇", "赵玥", "宋志", "欧阳娜娜", "刘德华"]
    folder = write_batch(tmp_path / "b", rows={"staff": staff(names)}, encoding="gb18030")
    report = load(folder)
    assert report.status == "accepted", report.message
    stored = [r[0] for r in con.execute("SELECT name FROM staff ORDER BY staff_id").fetchall()]
    assert stored == names
    assert con.execute("SELECT department FROM encounters ORDER BY 1").fetchall() == [("内科",), ("外科",)]


# ------------------------------------------------------------------ item 9: wide headers


def test_very_wide_csv_rejected_quickly(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    folder = write_batch(tmp_path / "b")
    path = folder / "fee_items.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    extra = 10_000
    wide = [lines[0] + "".join(f",x{i}" for i in range(extra))] + [line + "," * extra for line in lines[1:]]
    path.write_text("\n".join(wide) + "\n", encoding="utf-8")
    began = time.perf_counter()
    report = load(folder)
    elapsed = time.perf_counter() - began
    assert report.status == "rejected"
    assert "fee_items.csv" in report.message
    assert "10009 columns" in report.message
    assert "512" in report.message
    assert elapsed < 30  # the probe: over 300 s; rejected from the header line alone
    assert recorded(con, report) == [("rejected", report.message)]


def test_wide_parquet_and_xlsx_rejected(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    names = [f"c{i}" for i in range(600)]
    table = pa.Table.from_arrays([pa.array(["1"]) for _ in names], names=names)
    folder = write_batch(tmp_path / "p", drop=["orders"])
    pq.write_table(table, folder / "orders.parquet")
    report = load(folder)
    assert report.status == "rejected"
    assert "orders.parquet" in report.message
    assert "600 columns" in report.message

    wide_staff = [{**row, **{f"x{i}": "1" for i in range(600)}} for row in staff(["张医生"])]
    folder = write_batch(tmp_path / "x", drop=["staff"])
    write_table(folder / "staff.xlsx", wide_staff)
    report = load(folder)
    assert report.status == "rejected"
    assert "staff.xlsx" in report.message
    assert "605 columns" in report.message
    # The cap is a setting: 4 columns rejects even the 5 of staff.
    narrow = Settings(ingest=IngestSettings(max_columns=4))
    report = load(write_batch(tmp_path / "n", fmt="xlsx", drop=["institutions", "encounters"]), narrow)
    assert report.status == "rejected"
    assert "more than the limit of 4" in report.message


def test_endless_header_line_rejected(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    folder = write_batch(tmp_path / "b")
    (folder / "consents.csv").write_bytes(b"encounter_id" + b"x" * (2 * MB))
    report = load(folder)
    assert report.status == "rejected"
    assert "consents.csv" in report.message
    assert "header line longer than" in report.message


# ------------------------------------------------------------------ item 15: NUL bytes, zip bombs


def test_nul_filled_csv_rejected_with_a_record_in_bounded_memory(
    con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path
) -> None:
    folder = write_batch(tmp_path / "b")
    with (folder / "orders.csv").open("wb") as fh:
        for _ in range(32):
            fh.write(b"\0" * MB)
    tracemalloc.start()
    try:
        report = load(folder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.status == "rejected"
    assert "orders.csv" in report.message
    assert "NUL byte at byte 0 (line 1)" in report.message
    assert peak < 16 * MB  # a 32 MB file is never read whole
    assert recorded(con, report) == [("rejected", report.message)]


def test_nul_inside_a_csv_names_its_line(con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path) -> None:
    folder = write_batch(tmp_path / "b")
    path = folder / "orders.csv"
    lines = path.read_bytes().split(b"\n")
    lines.insert(2, b"O9,\0\0\0")
    path.write_bytes(b"\n".join(lines))
    report = load(folder)
    assert report.status == "rejected"
    assert "orders.csv" in report.message
    assert "(line 3)" in report.message


def nul_zip(tmp_path: Path, size: int) -> Path:
    """A batch zip whose orders.csv is `size` NUL bytes, written in 1 MB pieces."""
    folder = write_batch(tmp_path / "b", drop=["orders"])
    dest = zip_batch(folder, tmp_path / "batch.zip")
    with (
        zipfile.ZipFile(dest, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("orders.csv", "w", force_zip64=True) as member,
    ):
        for _ in range(size // MB):
            member.write(b"\0" * MB)
    return dest


def test_zip_bomb_refused_before_extraction(
    con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path
) -> None:
    bomb = nul_zip(tmp_path, 50 * MB)
    assert bomb.stat().st_size < MB
    report = load(bomb)
    assert report.status == "rejected"
    assert "orders.csv" in report.message
    assert "zip bomb" in report.message
    assert recorded(con, report) == [("rejected", report.message)]


def test_nul_csv_in_a_zip_rejected_with_a_record(
    con: duckdb.DuckDBPyConnection, load: Any, tmp_path: Path
) -> None:
    """The probe's path: with the ratio guard relaxed, the NUL check still rejects it."""
    relaxed = Settings(ingest=IngestSettings(zip_max_ratio=100_000))
    report = load(nul_zip(tmp_path, 8 * MB), relaxed)
    assert report.status == "rejected"
    assert "orders.csv" in report.message
    assert "NUL byte at byte 0" in report.message
    assert recorded(con, report) == [("rejected", report.message)]
