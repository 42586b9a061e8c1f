"""Staging one uploaded file (.csv, .parquet, .xlsx) as a DuckDB table.

Every staged table has the file's own columns plus `_row`: the row number as a
spreadsheet user sees it (the header is row 1, the first data row is row 2).
CSV and xlsx columns are staged as text, so that validation can say which value
is wrong instead of failing the whole file; Parquet keeps its native types.
"""

from __future__ import annotations

import codecs
import datetime as dt
import decimal
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from sanjianguan.errors import ContractError

SUFFIXES = (".csv", ".parquet", ".xlsx")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class StagedFile:
    """A file staged as table `name`; `headers` are the file's own column names, in order."""

    path: Path
    name: str
    headers: tuple[str, ...]
    rows: int
    encoding: str | None = None  # CSV only


def detect_encoding(path: Path) -> str:
    """`utf-8-sig`, `utf-8` or `gb18030`: UTF-8 when the whole file decodes as UTF-8."""
    with path.open("rb") as fh:
        head = fh.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        fh.seek(0)
        decoder: codecs.IncrementalDecoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    try:
        with path.open("rb") as fh:
            gb_decoder = codecs.getincrementaldecoder("gb18030")()
            while chunk := fh.read(_CHUNK):
                gb_decoder.decode(chunk)
            gb_decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise ContractError(
            f"文件编码无法识别(既非 UTF-8 也非 GB18030) / encoding is neither UTF-8 nor GB18030 "
            f"at byte {exc.start}",
            file=str(path),
        ) from exc
    return "gb18030"


def stage_file(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> StagedFile:
    """Create temp table `name` from one file; raise ContractError if unreadable."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return _stage_csv(con, path, name)
        if suffix == ".parquet":
            return _stage_parquet(con, path, name)
        if suffix == ".xlsx":
            return _stage_xlsx(con, path, name)
    except ContractError:
        raise
    except (duckdb.Error, OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise ContractError(f"文件无法读取 / unreadable file: {exc}", file=str(path)) from exc
    raise ContractError(f"不支持的文件类型 / unsupported file type {suffix}", file=str(path))


def _finish(con: duckdb.DuckDBPyConnection, path: Path, name: str, enc: str | None = None) -> StagedFile:
    headers = tuple(r[0] for r in con.execute(f"DESCRIBE {name}").fetchall() if r[0] != "_row")
    rows = con.execute(f"SELECT count(*) FROM {name}").fetchone()
    return StagedFile(path, name, headers, int(rows[0]) if rows else 0, enc)


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> StagedFile:
    encoding = detect_encoding(path)
    source = path
    tmp: tempfile._TemporaryFileWrapper[bytes] | None = None
    if encoding == "gb18030":
        # DuckDB reads UTF-8 natively; transcode GB18030 in a stream (bounded memory).
        tmp = tempfile.NamedTemporaryFile(suffix=".csv", delete=False)  # noqa: SIM115
        with (
            path.open("r", encoding="gb18030", newline="") as src,
            open(tmp.name, "w", encoding="utf-8", newline="") as dst,
        ):
            while chunk := src.read(_CHUNK):
                dst.write(chunk)
        source = Path(tmp.name)
    try:
        if source.stat().st_size == 0:
            raise ContractError("文件为空 / empty file (no header row)", file=str(path))
        # Insertion order is what gives `rowid` the file's row order.
        con.execute("SET preserve_insertion_order = true")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM read_csv(?, header = true, "
            "all_varchar = true, delim = ',', quote = '\"', escape = '\"', "
            "null_padding = false, strict_mode = true, auto_detect = false, "
            "columns = ?)",
            [str(source), _csv_columns(source)],
        )
        con.execute(f"ALTER TABLE {name} ADD COLUMN _row BIGINT")
        con.execute(f"UPDATE {name} SET _row = rowid + 2")
    finally:
        con.execute("SET preserve_insertion_order = false")
        if tmp is not None:
            Path(tmp.name).unlink(missing_ok=True)
    return _finish(con, path, name, encoding)


def _csv_columns(path: Path) -> dict[str, str]:
    """Header names (BOM stripped) → VARCHAR; duplicate headers are a contract error."""
    import csv

    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), None)
    if not header:
        raise ContractError("文件没有表头 / no header row", file=str(path))
    cleaned = [h.strip() for h in header]
    dupes = sorted({h for h in cleaned if cleaned.count(h) > 1})
    if dupes:
        raise ContractError("表头重复 / duplicate header", file=str(path), column=",".join(dupes))
    if "" in cleaned:
        raise ContractError(f"表头第 {cleaned.index('') + 1} 列为空 / empty header name", file=str(path))
    return dict.fromkeys(cleaned, "VARCHAR")


def _stage_parquet(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> StagedFile:
    # A view keeps Parquet zero-copy; views take no parameters, hence the literal.
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * EXCLUDE (file_row_number), "
        f"file_row_number + 2 AS _row FROM read_parquet({sql_literal(str(path))}, "
        "file_row_number = true)"
    )
    return _finish(con, path, name)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        # Spreadsheets store integers as floats; print exactly what the user typed.
        return str(decimal.Decimal(repr(value)).normalize()) if value != int(value) else str(int(value))
    text = str(value)
    return text if text.strip() else None


def _stage_xlsx(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> StagedFile:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if not header or all(h is None for h in header):
            raise ContractError("文件没有表头 / no header row", file=str(path))
        names = [str(h).strip() if h is not None else "" for h in header]
        width = max(i + 1 for i, h in enumerate(names) if h)
        names = names[:width]
        if "" in names:
            raise ContractError(f"表头第 {names.index('') + 1} 列为空 / empty header name", file=str(path))
        dupes = sorted({h for h in names if names.count(h) > 1})
        if dupes:
            raise ContractError("表头重复 / duplicate header", file=str(path), column=",".join(dupes))
        columns: list[list[str | None]] = [[] for _ in names]
        row_numbers: list[int] = []
        for number, row in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in (row or ())[:width]]
            if all(c is None for c in cells):
                continue  # trailing blank rows of a spreadsheet are not data
            cells += [None] * (width - len(cells))
            for col, cell in zip(columns, cells, strict=True):
                col.append(cell)
            row_numbers.append(number)
    finally:
        workbook.close()
    arrays = [pa.array(c, type=pa.string()) for c in columns] + [pa.array(row_numbers, pa.int64())]
    table = pa.Table.from_arrays(arrays, names=[*names, "_row"])
    con.register(f"{name}_arrow", table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
    con.unregister(f"{name}_arrow")
    return _finish(con, path, name)


def sql_literal(text: str) -> str:
    """A SQL string literal (for the few statements that cannot take parameters)."""
    return "'" + text.replace("'", "''") + "'"


def find_table_file(folder: Path, table: str) -> Path | None:
    """`<table>.csv|parquet|xlsx` in a folder; two formats of one table is an error."""
    found = [folder / f"{table}{s}" for s in SUFFIXES if (folder / f"{table}{s}").exists()]
    if len(found) > 1:
        raise ContractError(
            f"同一张表有多个文件 / table {table} given twice: {', '.join(p.name for p in found)}",
            file=str(folder),
        )
    return found[0] if found else None
