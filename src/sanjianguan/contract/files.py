"""Staging one uploaded file (.csv, .parquet, .xlsx) as a DuckDB table.

Every staged table has the file's own columns plus `_row`: the row number as a
spreadsheet user sees it (the header is row 1, the first data row is row 2).
CSV and xlsx columns are staged as text, so that validation can say which value
is wrong instead of failing the whole file; Parquet keeps its native types.
"""

from __future__ import annotations

import codecs
import collections
import csv
import datetime as dt
import decimal
import re
import tempfile
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class FileLimits:
    """Bounds checked before a file is parsed (表头宽度): columns, and bytes of a CSV header line."""

    max_columns: int = 512
    max_header_bytes: int = _CHUNK


# Non-ASCII text a Chinese medical file does not contain, but which Big5 or Shift-JIS bytes
# read as GB18030 turn into (外文或乱码): Cyrillic, kana, Hangul, bopomofo, box drawing, private use.
_FOREIGN_RANGES = (
    (0x0400, 0x052F),
    (0x2500, 0x257F),
    (0x3040, 0x30FF),
    (0x3100, 0x312F),
    (0x3130, 0x318F),
    (0xAC00, 0xD7AF),
    (0xE000, 0xF8FF),
)
# A GB18030 file is rejected as mis-encoded when more than this share of its non-ASCII
# characters is foreign (see above), or read as a rare ideograph between two ASCII letters
# (what Latin-1 "Müller" becomes: "M黮ler") ...
FOREIGN_SHARE_MAX = 0.01
# ... or when more than this share is outside GB2312 (Shift-JIS kanji and kana read as
# GB18030 are almost all rare GBK ideographs; genuine text with rare name characters such as
# 喆, 堃, 玥 stays far below: names alone ~20 %).
OUTSIDE_GB2312_MAX = 0.5
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_FLANKED = re.compile(r"(?<=[A-Za-z])[^\x00-\x7f](?=[A-Za-z])")


def detect_encoding(path: Path) -> str:
    """`utf-8-sig`, `utf-8` or `gb18030`: UTF-8 when the whole file decodes as UTF-8.

    Read in chunks (bounded memory). A NUL byte rejects the file at once (not a text CSV);
    text that decodes as GB18030 but reads as another encoding's garbage (Big5, Shift-JIS,
    Latin-1) is rejected too (`_check_plausible`).
    """
    with path.open("rb") as fh:
        bom = fh.read(3) == codecs.BOM_UTF8
    if _scan(path, "utf-8", None):
        return "utf-8-sig" if bom else "utf-8"
    tally = _Tally()
    try:
        _scan(path, "gb18030", tally)
    except UnicodeDecodeError as exc:
        raise ContractError(
            f"文件编码无法识别(既非 UTF-8 也非 GB18030) / encoding is neither UTF-8 nor GB18030 "
            f"at byte {exc.start}",
            file=str(path),
        ) from exc
    _check_plausible(path, tally)
    return "gb18030"


@dataclass
class _Tally:
    """Non-ASCII characters of a GB18030 reading: how often each, and how many flanked by letters."""

    chars: collections.Counter[str] = field(default_factory=collections.Counter)
    flanked: collections.Counter[str] = field(default_factory=collections.Counter)

    def add(self, text: str) -> None:
        self.chars.update(_NON_ASCII.findall(text))
        self.flanked.update(_FLANKED.findall(text))


def _scan(path: Path, encoding: str, tally: _Tally | None) -> bool:
    """Stream `path` through a strict decoder; False when it is not `encoding` (UTF-8 only:
    GB18030's UnicodeDecodeError propagates). A NUL byte is a ContractError."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = lines = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            _check_nul(path, chunk, offset, lines)
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                if tally is not None:
                    exc.start += offset
                    raise
                return False
            if tally is not None:
                tally.add(text)
            offset += len(chunk)
            lines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            if tally is not None:
                raise
            return False
    return True


def _check_nul(path: Path, chunk: bytes, offset: int, lines: int) -> None:
    at = chunk.find(b"\0")
    if at < 0:
        return
    line = lines + chunk.count(b"\n", 0, at) + 1
    raise ContractError(
        f"文件含 NUL 字节(第 {offset + at} 字节，第 {line} 行)，不是文本 CSV / "
        f"NUL byte at byte {offset + at} (line {line}): not a text CSV",
        file=str(path),
    )


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _foreign(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _FOREIGN_RANGES)


def _check_plausible(path: Path, tally: _Tally) -> None:
    """GB18030 decodes almost any bytes: reject a reading that looks like another encoding."""
    total = sum(tally.chars.values())
    if not total:
        return
    foreign = {c: n for c, n in tally.chars.items() if _foreign(c)}
    flanked = {c: n for c, n in tally.flanked.items() if not _in_gb2312(c) and not _foreign(c)}
    outside = {c: n for c, n in tally.chars.items() if not _in_gb2312(c)}
    odd = sum(foreign.values()) + sum(flanked.values())
    if odd <= FOREIGN_SHARE_MAX * total and sum(outside.values()) <= OUTSIDE_GB2312_MAX * total:
        return
    uncommon = {**outside, **foreign}
    sample = "".join(c for c, _ in sorted(uncommon.items(), key=lambda kv: -kv[1])[:8])
    raise ContractError(
        f"文件编码疑似错误(Big5、Shift-JIS 或 Latin-1?)：按 GB18030 读出的 {total} 个非 ASCII 字符中 "
        f"{sum(uncommon.values())} 个不是常用汉字或符号，如 {sample!r}；请另存为 UTF-8 / "
        f"not UTF-8 and not plausible GB18030 (Big5, Shift-JIS or Latin-1?): {sum(uncommon.values())} "
        f"of {total} non-ASCII characters are uncommon, e.g. {sample!r}; save the file as UTF-8",
        file=str(path),
    )


_LINE_BREAK = re.compile(rb"[\r\n]")


def check_csv_header(path: Path, encoding: str, limits: FileLimits) -> None:
    """The header line, read bounded in bytes: too long, or too many columns, rejects the file."""
    with path.open("rb") as fh:
        head = fh.read(limits.max_header_bytes + 1)
    # The header ends at the first line break, CR or LF: a stray CR inside it made Python's
    # csv reader raise instead of counting columns.
    found = _LINE_BREAK.search(head)
    end = found.start() if found else -1
    if end < 0 and len(head) > limits.max_header_bytes:
        raise ContractError(
            f"表头行超过 {limits.max_header_bytes} 字节 / header line longer than "
            f"{limits.max_header_bytes} bytes",
            file=str(path),
        )
    text = head[: end if end >= 0 else len(head)].decode(encoding, errors="replace")
    check_width(path, len(next(csv.reader([text]), [])), limits)


def check_width(path: Path, columns: int, limits: FileLimits) -> None:
    """More columns than `limits.max_columns` rejects the file (before it is parsed)."""
    if columns > limits.max_columns:
        raise ContractError(
            f"表头有 {columns} 列，超过上限 {limits.max_columns} 列 / header has {columns} columns, "
            f"more than the limit of {limits.max_columns}",
            file=str(path),
        )


def stage_file(
    con: duckdb.DuckDBPyConnection, path: Path, name: str, limits: FileLimits | None = None
) -> StagedFile:
    """Create temp table `name` from one file; raise ContractError if unreadable or too wide."""
    suffix = path.suffix.lower()
    limits = limits or FileLimits()
    try:
        if suffix == ".csv":
            return _stage_csv(con, path, name, limits)
        if suffix == ".parquet":
            return _stage_parquet(con, path, name, limits)
        if suffix == ".xlsx":
            return _stage_xlsx(con, path, name, limits)
    except ContractError:
        raise
    except (duckdb.Error, OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise ContractError(f"文件无法读取 / unreadable file: {exc}", file=str(path)) from exc
    raise ContractError(f"不支持的文件类型 / unsupported file type {suffix}", file=str(path))


def _finish(con: duckdb.DuckDBPyConnection, path: Path, name: str, enc: str | None = None) -> StagedFile:
    headers = tuple(r[0] for r in con.execute(f"DESCRIBE {name}").fetchall() if r[0] != "_row")
    rows = con.execute(f"SELECT count(*) FROM {name}").fetchone()
    return StagedFile(path, name, headers, int(rows[0]) if rows else 0, enc)


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path, name: str, limits: FileLimits) -> StagedFile:
    encoding = detect_encoding(path)
    check_csv_header(path, encoding, limits)
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


def _stage_parquet(con: duckdb.DuckDBPyConnection, path: Path, name: str, limits: FileLimits) -> StagedFile:
    import pyarrow.parquet as pq

    check_width(path, len(pq.read_schema(path).names), limits)
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


def _stage_xlsx(con: duckdb.DuckDBPyConnection, path: Path, name: str, limits: FileLimits) -> StagedFile:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if not header or all(h is None for h in header):
            raise ContractError("文件没有表头 / no header row", file=str(path))
        names = [str(h).strip() if h is not None else "" for h in header]
        width = max(i + 1 for i, h in enumerate(names) if h)
        check_width(path, width, limits)
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
