"""Loading reference files into the knowledge base (知识库加载): `sjg kb load DIR`.

A folder holds `ref_<name>.csv|parquet|xlsx` files, one per reference table of the
contract. Reference data is checked strictly: one bad cell rejects the whole load,
and the error lists every bad cell (file, row, field) so it can be fixed in one pass.

A column the platform does not know (未知列, e.g. `max_los` of an official catalogue
that carries more than the contract) is not an error: as the contract does for batch
files, it is kept aside (`kb_extra_columns`, with the version the load creates), not
loaded, and the load reports a warning naming the file and the column, so that a
misspelt limit column does not go unnoticed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

from sanjianguan.contract.files import SUFFIXES, find_table_file, stage_file
from sanjianguan.contract.schema import (
    BOOL_FALSE,
    BOOL_TRUE,
    LIST_COLUMNS,
    REF_TABLES,
    ColType,
    Column,
    Table,
)
from sanjianguan.contract.validate import quote
from sanjianguan.errors import ContractError, KnowledgeBaseError
from sanjianguan.kb.versions import ExtraCell, TextRow, VersionResult, write_version

MAX_LISTED_ERRORS = 50
_INT = re.compile(r"[+-]?\d+(\.0*)?")
_DECIMAL_LIMIT = Decimal(10) ** 14  # DECIMAL(18,4) holds 14 integer digits
_STAGE = "_kb_stage"


@dataclass(frozen=True)
class CellError:
    """One bad value of a reference file (错误单元格)."""

    file: str
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file} 第{self.row}行/row {self.row} 字段/field {self.field}: {self.reason}"


@dataclass(frozen=True)
class KbLoadReport:
    """Outcome of one `load_kb` (知识库加载结果)."""

    folder: Path
    files: dict[str, Path]
    result: VersionResult
    warnings: tuple[str, ...] = ()

    @property
    def version(self) -> int:
        return self.result.version

    @property
    def created(self) -> bool:
        return self.result.created

    def message(self) -> str:
        if self.created:
            return f"已创建知识库版本 {self.version} / created knowledge-base version {self.version}"
        return (
            f"内容与当前版本 {self.version} 相同，未创建新版本 / "
            f"content identical to current version {self.version}: no new version"
        )


def load_kb(
    con: duckdb.DuckDBPyConnection, folder: Path, *, merge: bool = False, note: str = ""
) -> KbLoadReport:
    """Load every reference file of `folder` as a new knowledge-base version.

    Tables present replace their previous content (with `merge`: upserted by key into
    it); tables absent are carried over. Raises KnowledgeBaseError on any bad file or cell.
    """
    files = find_ref_files(folder)
    content: dict[str, list[TextRow]] = {}
    errors: list[CellError] = []
    extras: list[ExtraCell] = []
    warnings: list[str] = []
    for name, path in files.items():
        ref = read_ref_file(con, REF_TABLES[name], path)
        content[name] = ref.rows
        errors.extend(ref.errors)
        extras.extend(ref.extras)
        if ref.unknown:
            warnings.append(unknown_columns_warning(path.name, ref.unknown))
    if errors:
        raise KnowledgeBaseError(_cell_errors_message(errors))
    result = write_version(con, content, merge=merge, source=str(folder), note=note, extras=extras)
    return KbLoadReport(folder, files, result, tuple(warnings))


def unknown_columns_warning(file: str, columns: Sequence[str]) -> str:
    """The warning of a file's unknown columns (kept aside, not loaded)."""
    return (
        f"未知列已另存、未装载 / unknown column kept aside, not loaded: {', '.join(columns)} "
        f"(文件/file {file})"
    )


def find_ref_files(folder: Path) -> dict[str, Path]:
    """`ref_<name>` files of a folder, by table name; unknown ref files are an error."""
    if not folder.is_dir():
        raise KnowledgeBaseError(f"目录不存在 / not a folder: {folder}")
    candidates = sorted(
        p for p in folder.iterdir() if p.name.startswith("ref_") and p.suffix.lower() in SUFFIXES
    )
    unknown = sorted({p.name for p in candidates if p.stem not in REF_TABLES})
    if unknown:
        raise KnowledgeBaseError(
            f"未知的参考表文件 / unknown reference files: {', '.join(unknown)} "
            f"(已知/known: {', '.join(REF_TABLES)})"
        )
    found: dict[str, Path] = {}
    for name in REF_TABLES:
        try:
            path = find_table_file(folder, name)
        except ContractError as exc:
            raise KnowledgeBaseError(str(exc)) from exc
        if path is not None:
            found[name] = path
    if not found:
        raise KnowledgeBaseError(
            f"目录中没有参考表文件 ref_*.csv|parquet|xlsx / no reference files in {folder}"
        )
    return found


@dataclass(frozen=True)
class RefFile:
    """One reference file as read: normalised rows, bad cells, unknown columns and their cells."""

    rows: list[TextRow]
    errors: list[CellError]
    unknown: tuple[str, ...]
    extras: list[ExtraCell]


def read_ref_file(con: duckdb.DuckDBPyConnection, table: Table, path: Path) -> RefFile:
    """Normalised rows of one reference file, the bad cells and the unknown columns found in it."""
    try:
        staged = stage_file(con, path, _STAGE)
    except ContractError as exc:
        raise KnowledgeBaseError(str(exc)) from exc
    try:
        mapping = _map_headers(table, path, staged.headers)
        unknown = tuple(h for h in staged.headers if h not in mapping)
        header_list = ", ".join(quote(h) for h in (*mapping, *unknown))
        raw = con.execute(f"SELECT _row, {header_list} FROM {_STAGE} ORDER BY _row").fetchall()
    finally:
        # Parquet is staged as a view, the other formats as a table.
        kind = "VIEW" if path.suffix.lower() == ".parquet" else "TABLE"
        con.execute(f"DROP {kind} IF EXISTS {_STAGE}")
    positions = [table.column_names.index(c) for c in mapping.values()]
    rows: list[TextRow] = []
    errors: list[CellError] = []
    extras: list[ExtraCell] = []
    for record in raw:
        row: list[str | None] = [None] * len(table.columns)
        known, other = record[1 : len(positions) + 1], record[len(positions) + 1 :]
        for pos, value in zip(positions, known, strict=True):
            row[pos], reason = normalise_cell(table, table.columns[pos], value)
            if reason:
                errors.append(CellError(path.name, int(record[0]), table.columns[pos].name, reason))
        rows.append(row)
        extras.extend(
            ExtraCell(table.name, path.name, int(record[0]), column, text)
            for column, value in zip(unknown, other, strict=True)
            if (text := as_text(value)) is not None
        )
    errors.extend(_duplicate_keys(table, path.name, [int(r[0]) for r in raw], rows))
    return RefFile(rows, errors, unknown, extras)


def _map_headers(table: Table, path: Path, headers: Sequence[str]) -> dict[str, str]:
    """File header → column (unknown headers left out); a missing required column rejects the file."""
    aliases = table.alias_map()
    mapping = {h: aliases[h.strip().lower()] for h in headers if h.strip().lower() in aliases}
    missing = [c for c in table.required if c not in mapping.values()]
    if missing:
        raise KnowledgeBaseError(
            f"缺少必需列 / missing required column: {', '.join(missing)} (文件/file {path.name})"
        )
    return mapping


def normalise_cell(table: Table, column: Column, value: object) -> tuple[str | None, str | None]:
    """(normalised text or None, reason it is bad or None) for one cell."""
    text = as_text(value)
    if (table.name, column.name) in LIST_COLUMNS and text is not None:
        text = "|".join(part.strip() for part in text.split("|") if part.strip()) or None
    if text is None:
        return None, ("必填值为空 / required value is empty" if column.required else None)
    converted, reason = _convert(column.type, text)
    if reason:
        return None, reason
    if column.choices and converted not in column.choices:
        return None, f"取值 {text!r} 不在允许值中 / not one of {', '.join(column.choices)}"
    return converted, None


def as_text(value: object) -> str | None:
    """A staged value (text, or a native Parquet value) as trimmed text; blank → None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    text = str(value).strip()
    return text or None


def _convert(kind: ColType, text: str) -> tuple[str | None, str | None]:
    if kind is ColType.INT:
        if not _INT.fullmatch(text):
            return None, f"{text!r} 不是整数 / not an integer"
        return str(int(Decimal(text))), None
    if kind is ColType.DECIMAL:
        return _convert_decimal(text)
    if kind is ColType.BOOL:
        lowered = text.lower()
        if lowered in BOOL_TRUE:
            return "true", None
        if lowered in BOOL_FALSE:
            return "false", None
        return None, f"{text!r} 不是布尔值 (1/0/true/false/是/否) / not a boolean"
    return text, None


def _convert_decimal(text: str) -> tuple[str | None, str | None]:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None, f"{text!r} 不是数值 / not a number"
    if not number.is_finite() or abs(number) >= _DECIMAL_LIMIT:
        return None, f"{text!r} 超出范围 / out of range"
    return format(number, "f"), None


def _duplicate_keys(
    table: Table, file: str, numbers: Sequence[int], rows: Sequence[TextRow]
) -> list[CellError]:
    positions = [table.column_names.index(k) for k in table.key]
    first: dict[tuple[str | None, ...], int] = {}
    errors = []
    for number, row in zip(numbers, rows, strict=True):
        key = tuple(row[i] for i in positions)
        if None in key:
            continue  # already reported as an empty required value
        if key in first:
            reason = f"主键重复，与第{first[key]}行相同 / duplicate key, same as row {first[key]}"
            errors.append(CellError(file, number, "+".join(table.key), reason))
        else:
            first[key] = number
    return errors


def _cell_errors_message(errors: Iterable[CellError]) -> str:
    listed = list(errors)
    lines = [str(e) for e in listed[:MAX_LISTED_ERRORS]]
    more = len(listed) - len(lines)
    if more > 0:
        lines.append(f"…… 另有 {more} 处 / and {more} more")
    head = f"知识库加载被拒绝：{len(listed)} 处错误 / knowledge-base load rejected: {len(listed)} bad cells"
    return head + "\n" + "\n".join(lines)
