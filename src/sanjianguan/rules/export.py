"""Export of a period's hits (`sjg hits`): the columns of rules.md plus rule metadata."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.errors import RuleError
from sanjianguan.indicators.scope import month, require_encounters
from sanjianguan.rules.choices import ExportFormat as ExportFormat
from sanjianguan.rules.runner import period_values
from sanjianguan.rules.store import has_hits_table

EXPORT_COLUMNS = (
    "hit_id",
    "period",
    "rule_id",
    "rule_name",
    "category",
    "grade",
    "institution_id",
    "department",
    "doctor_id",
    "patient_id",
    "encounter_id",
    "related_encounter_id",
    "event_date",
    "amount_involved",
    "evidence",
)


def export_hits(con: duckdb.DuckDBPyConnection, period: str, fmt: ExportFormat, out: Path) -> int:
    """Write the period's hits (ordered by rule and hit id) to `out`; returns the row count.

    A month without settled encounters raises NoDataError: an empty file would read as
    "analysed, nothing found".
    """
    period_values(period)  # validates the period
    require_encounters(DuckDBEngine(con), month(period))
    if not has_hits_table(con):
        raise RuleError("尚未运行分析 / no analysis has been run in this store: run `sjg analyze` first")
    query = f"SELECT {', '.join(EXPORT_COLUMNS)} FROM hits WHERE period = ? ORDER BY rule_id, hit_id"
    table = con.execute(query, [period]).to_arrow_table()
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        if fmt is ExportFormat.PARQUET:
            pq.write_table(table, out)
        else:
            pa_csv.write_csv(table, out)
    except OSError as exc:
        raise RuleError(f"无法写出 / cannot write {out}: {exc}") from exc
    return int(table.num_rows)
