"""The quarantine (隔离区) of a batch: every row that could not be stored faithfully.

`quarantine_rows` returns every quarantined row of one batch (no limit), in table load
order and row order, with the value of the field named in the reason as the file gave
it. The value is read from the row kept as read (`raw`, keyed by the file's own
headers): a header that is a national alias of the field counts as the field. A batch
is named by its full ID or by a prefix that names only one batch (as `sjg ingest` prints).
`quarantine_lines` gives the first few rows of a batch, as `sjg ingest` shows them after
loading. Rows are written while loading (`load_quarantine.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from sanjianguan.contract.schema import TABLES
from sanjianguan.errors import StoreError

# Stable column ids of the export, in order.
EXPORT_COLUMNS = ("batch_id", "table_name", "file", "row_number", "field", "value", "reason", "raw")
SHORT_ID = 12  # characters of a batch ID shown to users; any unique prefix works
# Orders quarantine rows by their table's place in the load order of the contract.
_TABLES_IN_ORDER = ", ".join(f"'{t}'" for t in TABLES)
_TABLE_ORDER_SQL = f"list_position([{_TABLES_IN_ORDER}], table_name)"


@dataclass(frozen=True)
class QuarantineRow:
    """One quarantined row (隔离行): where, which field, its value, why, and the row as read."""

    batch_id: str
    table_name: str
    file: str
    row_number: int
    field: str
    value: str | None
    reason: str
    raw: str

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in EXPORT_COLUMNS}


@dataclass(frozen=True)
class QuarantineLine:
    """One quarantined row (隔离记录)."""

    table_name: str
    file: str
    row_number: int
    field: str
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.file} 第{self.row_number}行/row {self.row_number} 字段/field {self.field}: {self.reason}"
        )


def quarantine_lines(con: duckdb.DuckDBPyConnection, batch: str, limit: int = 10) -> list[QuarantineLine]:
    """The first quarantined rows of a batch, in table load order and row order."""
    rows = con.execute(
        "SELECT table_name, file, row_number, field, reason FROM quarantine WHERE batch_id = ? "
        f"ORDER BY {_TABLE_ORDER_SQL}, row_number LIMIT ?",
        [batch, limit],
    ).fetchall()
    return [QuarantineLine(r[0], r[1], int(r[2]), r[3], r[4]) for r in rows]


def resolve_batch(con: duckdb.DuckDBPyConnection, batch: str) -> str:
    """The full ID of the batch `batch` names (full ID or unique prefix); StoreError if none or several."""
    text = batch.strip()
    rows = con.execute(
        "SELECT DISTINCT batch_id FROM batches WHERE starts_with(batch_id, ?) ORDER BY batch_id LIMIT 2",
        [text],
    ).fetchall()
    if not text or not rows:
        raise StoreError(f"没有这个批次 / no such batch: {batch!r}")
    if len(rows) > 1:
        raise StoreError(
            f"批次编号前缀对应多个批次，请写长一些 / batch prefix {batch!r} names several batches"
        )
    return str(rows[0][0])


def quarantine_rows(con: duckdb.DuckDBPyConnection, batch: str) -> list[QuarantineRow]:
    """Every quarantined row of a batch (full ID or unique prefix), in table load order and row order."""
    batch_id = resolve_batch(con, batch)
    rows = con.execute(
        "SELECT table_name, file, row_number, field, reason, raw FROM quarantine WHERE batch_id = ? "
        f"ORDER BY {_TABLE_ORDER_SQL}, file, row_number, field",
        [batch_id],
    ).fetchall()
    return [
        QuarantineRow(batch_id, r[0], r[1], int(r[2]), r[3], field_value(r[0], r[3], r[5]), r[4], r[5] or "")
        for r in rows
    ]


def field_value(table: str, field: str, raw: str | None) -> str | None:
    """The value(s) of `field` (one column, or a key `a,b`) in a row kept as read (JSON by header)."""
    try:
        row = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        return None
    aliases = TABLES[table].alias_map() if table in TABLES else {}
    by_column = {aliases.get(str(h).strip().lower(), h): v for h, v in row.items()}
    values = [by_column.get(name) for name in field.split(",")]
    if all(v is None for v in values):
        return None
    return ",".join("" if v is None else str(v) for v in values)
