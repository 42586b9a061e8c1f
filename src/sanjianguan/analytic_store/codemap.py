"""Code mapping (对码): each institution's local item codes → national item codes.

A mapping file (.csv, .xlsx or .parquet) has the columns institution_id, local_code
and item_code (national field names accepted: fixmedins_code, hosplist_code /
medins_list_codg, hilist_code / med_list_codg) and optionally item_name. Loading it
upserts table `code_map` and re-maps the stored fee lines of the institutions in the
file, in one transaction: a line whose item_code_source is NULL (unmapped) or
'mapped' takes the item_code of its (institution_id, local_code); a line whose code
the institution reported itself ('reported') is never touched. Lines kept as Parquet
segments are mapped when read (`store/segments.py`), so only the native table is
updated; the count of re-mapped lines includes the segment lines the new entries change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from sanjianguan.analytic_store.segments import NATIVE_TABLE, VIEW
from sanjianguan.contract.files import StagedFile, stage_file
from sanjianguan.contract.schema import ENCOUNTERS, FEE_ITEMS
from sanjianguan.errors import ContractError

STAGE = "code_map_stage"
REQUIRED = ("institution_id", "local_code", "item_code")
# Accepted headers (lower case) of each column, from the contract's national aliases.
ACCEPTED_HEADERS: dict[str, tuple[str, ...]] = {
    "institution_id": ("institution_id", *ENCOUNTERS.column("institution_id").aliases),
    "local_code": ("local_code", *FEE_ITEMS.column("local_code").aliases),
    "item_code": ("item_code", *FEE_ITEMS.column("item_code").aliases),
    "item_name": ("item_name", *FEE_ITEMS.column("item_name").aliases),
}
MAX_LISTED_PROBLEMS = 50
# A stored line `f` takes the code of map entry `m`: unmapped, or mapped to another code.
TAKES_MAPPED_CODE = (
    "(f.item_code_source IS NULL "
    "OR (f.item_code_source = 'mapped' AND f.item_code IS DISTINCT FROM m.item_code))"
)


class CodeMapError(ContractError):
    """A mapping file rejected as a whole; `problems` name each row and field."""

    def __init__(self, file: Path, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems[:MAX_LISTED_PROBLEMS])
        more = len(problems) - MAX_LISTED_PROBLEMS
        tail = f"\n  ... 另有 {more} 处 / {more} more" if more > 0 else ""
        super().__init__(
            f"对码文件有 {len(problems)} 处错误，未导入 / mapping file rejected, "
            f"{len(problems)} problem(s):\n{listed}{tail}\n",
            file=str(file),
        )


@dataclass(frozen=True)
class MapEntry:
    """One mapping (对码记录) and the spreadsheet row it came from."""

    row: int
    institution_id: str
    local_code: str
    item_code: str


@dataclass(frozen=True)
class MapLoadReport:
    """What one mapping file changed."""

    file: Path
    rows_read: int
    entries: int  # distinct (institution_id, local_code) upserted
    institutions: tuple[str, ...]
    lines_remapped: int  # stored fee lines whose item_code was set or changed


def load_code_map(con: duckdb.DuckDBPyConnection, file: Path) -> MapLoadReport:
    """Validate a mapping file, upsert `code_map`, re-map stored fee lines (all or nothing)."""
    staged = stage_file(con, file, STAGE)
    try:
        headers = _resolve_headers(staged)
        entries = _read_entries(con, staged, headers)
    finally:
        _drop_stage(con)
    unique = {(e.institution_id, e.local_code): e for e in entries}
    institutions = tuple(sorted({e.institution_id for e in unique.values()}))
    remapped = _apply(con, list(unique.values()), file.name)
    return MapLoadReport(file, staged.rows, len(unique), institutions, remapped)


def _drop_stage(con: duckdb.DuckDBPyConnection) -> None:
    # Parquet is staged as a view, csv and xlsx as a table.
    kinds = con.execute(
        "SELECT 'VIEW' FROM duckdb_views() WHERE view_name = ? AND temporary "
        "UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = ? AND temporary",
        [STAGE, STAGE],
    ).fetchall()
    for (kind,) in kinds:
        con.execute(f"DROP {kind} IF EXISTS {STAGE}")


def _resolve_headers(staged: StagedFile) -> dict[str, str]:
    """Map column → the file's header for it; missing or doubled columns reject the file."""
    found: dict[str, str] = {}
    for header in staged.headers:
        for column, accepted in ACCEPTED_HEADERS.items():
            if header.strip().lower() in accepted:
                if column in found:
                    raise ContractError(
                        f"列 {column} 出现两次（{found[column]}、{header}）/ column {column} given twice",
                        file=str(staged.path),
                        column=header,
                    )
                found[column] = header
    for column in REQUIRED:
        if column not in found:
            raise ContractError(
                f"缺少必填列 {column}（可用列名：{'、'.join(ACCEPTED_HEADERS[column])}）"
                f" / missing required column {column}",
                file=str(staged.path),
                column=column,
            )
    return found


def _read_entries(
    con: duckdb.DuckDBPyConnection, staged: StagedFile, headers: dict[str, str]
) -> list[MapEntry]:
    cols = ", ".join(f"NULLIF(TRIM(CAST({_ident(headers[c])} AS VARCHAR)), '')" for c in REQUIRED)
    rows = con.execute(f"SELECT _row, {cols} FROM {staged.name} ORDER BY _row").fetchall()
    problems = [
        f"第 {row[0]} 行：{column}（列 {headers[column]}）为空 / row {row[0]}: {column} "
        f"(column {headers[column]}) is empty"
        for row in rows
        for column, value in zip(REQUIRED, row[1:], strict=True)
        if value is None
    ]
    entries = [MapEntry(*row) for row in rows if None not in row]
    problems += _conflicts(entries)
    if problems:
        raise CodeMapError(staged.path, problems)
    return entries


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _conflicts(entries: list[MapEntry]) -> list[str]:
    """Duplicate (institution_id, local_code) rows that disagree on item_code."""
    groups: dict[tuple[str, str], list[MapEntry]] = {}
    for entry in entries:
        groups.setdefault((entry.institution_id, entry.local_code), []).append(entry)
    problems = []
    for (inst, local), group in groups.items():
        codes = sorted({e.item_code for e in group})
        if len(codes) > 1:
            rows = "、".join(str(e.row) for e in group)
            problems.append(
                f"第 {rows} 行：机构 {inst} 院内编码 {local} 对应不同的 item_code（{'、'.join(codes)}）"
                f" / rows {rows.replace('、', ', ')}: institution {inst} local_code {local} "
                f"maps to conflicting item_code {', '.join(codes)}"
            )
    return problems


def _apply(con: duckdb.DuckDBPyConnection, entries: list[MapEntry], source: str) -> int:
    table = pa.table(
        {
            "institution_id": [e.institution_id for e in entries],
            "local_code": [e.local_code for e in entries],
            "item_code": [e.item_code for e in entries],
        }
    )
    loaded_at = datetime.now().replace(microsecond=0)
    con.register("code_map_new", table)
    con.begin()
    try:
        in_segments = _segment_lines_remapped(con)
        con.execute(
            "INSERT INTO code_map SELECT institution_id, local_code, item_code, ?, ? FROM code_map_new "
            "ON CONFLICT (institution_id, local_code) DO UPDATE SET item_code = excluded.item_code, "
            "source = excluded.source, loaded_at = excluded.loaded_at",
            [source, loaded_at],
        )
        remapped = in_segments + remap_fee_items(con, "SELECT DISTINCT institution_id FROM code_map_new")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.unregister("code_map_new")
    return remapped


def _segment_lines_remapped(con: duckdb.DuckDBPyConnection) -> int:
    """Segment lines whose national code the entries of `code_map_new` set or change."""
    row = con.execute(
        f"SELECT count(*) FROM {VIEW} f JOIN code_map_new m "
        "ON f.institution_id = m.institution_id AND f.local_code = m.local_code "
        f"WHERE f.batch_id IN (SELECT batch_id FROM fee_segments) AND {TAKES_MAPPED_CODE}"
    ).fetchone()
    return int(row[0]) if row else 0


def remap_fee_items(con: duckdb.DuckDBPyConnection, institutions_sql: str | None = None) -> int:
    """Apply `code_map` to unmapped and mapped native fee lines; return the lines changed.

    `institutions_sql` (a query returning institution_id) limits the institutions;
    None re-maps every institution. Lines with item_code_source 'reported' are kept.
    """
    scope = f"AND f.institution_id IN ({institutions_sql})" if institutions_sql else ""
    result = con.execute(
        f"""
        UPDATE {NATIVE_TABLE} f SET item_code = m.item_code, item_code_source = 'mapped'
        FROM code_map m
        WHERE f.institution_id = m.institution_id AND f.local_code = m.local_code {scope}
          AND {TAKES_MAPPED_CODE}
        """
    ).fetchone()
    return int(result[0]) if result else 0


def unmapped_queue(
    con: duckdb.DuckDBPyConnection, institution_id: str | None = None, period: str | None = None
) -> list[dict[str, Any]]:
    """Unmapped fee lines (no national item_code) grouped by institution and local code.

    A work queue for 对码: keys institution_id, local_code, item_name (the smallest
    name seen), lines, amount (net sum, Decimal); largest amount first.
    """
    rows = con.execute(
        """
        SELECT institution_id, local_code, min(item_name), count(*), sum(amount)
        FROM fee_items
        WHERE NULLIF(TRIM(item_code), '') IS NULL
          AND (CAST(? AS VARCHAR) IS NULL OR institution_id = ?)
          AND (CAST(? AS VARCHAR) IS NULL OR period = ?)
        GROUP BY institution_id, local_code
        ORDER BY sum(amount) DESC NULLS LAST, count(*) DESC, institution_id, local_code NULLS LAST
        """,
        [institution_id, institution_id, period, period],
    ).fetchall()
    keys = ("institution_id", "local_code", "item_name", "lines", "amount")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def map_one(
    con: duckdb.DuckDBPyConnection, institution_id: str, local_code: str, item_code: str, source: str
) -> int:
    """One mapping entered by hand (the 数据采集 page's 对码 form), applied as a file row would be:
    `code_map` upserted and the institution's stored lines re-mapped; returns the lines changed."""
    return _apply(con, [MapEntry(0, institution_id, local_code, item_code)], source)


def mapped_code(con: duckdb.DuckDBPyConnection, institution_id: str, local_code: str) -> str | None:
    """The national code `local_code` of the institution is mapped to (None: not mapped)."""
    row = con.execute(
        "SELECT item_code FROM code_map WHERE institution_id = ? AND local_code = ?",
        [institution_id, local_code],
    ).fetchone()
    return None if row is None else str(row[0])
