"""Export of stored indicator values (`sjg indicators`): stable ids and columns.

Columns: period, level, institution_id, department, doctor_id, indicator (the stable
id), indicator_name, group, numerator, denominator, cases, value, target, failing,
failing_reason. Decimals keep their exact digits at full precision, written in their
shortest form (`0.5`; JSON: as strings); an empty denominator (counts) or target is an
empty cell / null. `EXPORT_LABELS` are the Chinese headers of `--headers zh`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import duckdb

from sanjianguan.indicators.choices import ExportFormat as ExportFormat
from sanjianguan.indicators.model import Group, IndicatorError, Level
from sanjianguan.indicators.results_table import has_values_table
from sanjianguan.tabular import Headers, csv_text, exact

EXPORT_COLUMNS = (
    "period",
    "level",
    "institution_id",
    "department",
    "doctor_id",
    "indicator",
    "indicator_name",
    "group",
    "numerator",
    "denominator",
    "cases",
    "value",
    "target",
    "failing",
    "failing_reason",
)
EXPORT_LABELS = {
    "period": "统计期",
    "level": "层级",
    "institution_id": "机构编码",
    "department": "科室",
    "doctor_id": "医师编码",
    "indicator": "指标编码",
    "indicator_name": "指标名称",
    "group": "指标组",
    "numerator": "分子",
    "denominator": "分母",
    "cases": "例数",
    "value": "指标值",
    "target": "标值",
    "failing": "不达标",
    "failing_reason": "不达标原因",
}
_GROUP_ORDER = " ".join(f"WHEN '{g.value}' THEN {n}" for n, g in enumerate(Group))


def export_rows(con: duckdb.DuckDBPyConnection, period: str, level: Level) -> list[dict[str, Any]]:
    """The stored values of a period at one level, ordered by unit, group and indicator."""
    if not has_values_table(con):
        raise IndicatorError("尚未计算指标 / no indicators computed yet: run `sjg indicators` first")
    select = ", ".join('indicator_group AS "group"' if c == "group" else c for c in EXPORT_COLUMNS)
    sql = (
        f"SELECT {select} FROM indicator_values WHERE period = ? AND level = ? "
        f"ORDER BY institution_id, department NULLS FIRST, doctor_id NULLS FIRST, "
        f"CASE indicator_group {_GROUP_ORDER} END, indicator"
    )
    cursor = con.execute(sql, [period, level.value])
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def to_csv(
    rows: list[dict[str, Any]],
    columns: tuple[str, ...] = EXPORT_COLUMNS,
    labels: dict[str, str] = EXPORT_LABELS,
    headers: Headers = Headers.EN,
) -> str:
    """The rows as CSV text (no BOM: the caller adds it when writing a file)."""
    return csv_text(columns, rows, labels, headers)


def to_json(rows: list[dict[str, Any]]) -> str:
    plain = [{k: _json_value(v) for k, v in row.items()} for row in rows]
    return json.dumps(plain, ensure_ascii=False, indent=2) + "\n"


def _json_value(value: Any) -> Any:
    # Decimals as strings: JSON numbers would lose the exact digits in many readers.
    return exact(value) if isinstance(value, Decimal) else value
