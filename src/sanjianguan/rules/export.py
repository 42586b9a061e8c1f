"""Export of a period's hits (`sjg hits`): the columns of rules.md plus rule metadata.

The rows stream from DuckDB in Arrow batches of `BATCH_ROWS`, so a city's month of hits
is never held in memory at once. CSV follows `sanjianguan.tabular`: UTF-8 with a BOM,
English ids as headers, or `EXPORT_LABELS` with `headers=zh`. Parquet keeps the ids.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.errors import RuleError
from sanjianguan.queries.period import require_encounters
from sanjianguan.rules.choices import ExportFormat as ExportFormat
from sanjianguan.rules.hits_table import has_hits_table
from sanjianguan.rules.model import STANDARD_COLUMNS
from sanjianguan.rules.runner import settlement_month
from sanjianguan.tabular import BOM, Headers, csv_text

BATCH_ROWS = 100_000

# What an office reads: the hit and its rule, then the standard columns without the internal key.
EXPORT_COLUMNS = (
    "hit_id",
    "period",
    "rule_id",
    "rule_name",
    "category",
    "grade",
    *(column for column in STANDARD_COLUMNS if column != "hit_key"),
    "evidence",
)

EXPORT_LABELS = {
    "hit_id": "疑点编号",
    "period": "结算月",
    "rule_id": "规则编号",
    "rule_name": "规则名称",
    "category": "类别",
    "grade": "级别",
    "institution_id": "机构编码",
    "department": "科室",
    "doctor_id": "医师编码",
    "patient_id": "患者编号",
    "encounter_id": "就诊ID",
    "related_encounter_id": "关联就诊ID",
    "event_date": "发生日期",
    "amount_involved": "涉及金额(元)",
    "evidence": "证据",
}


def export_hits(
    con: duckdb.DuckDBPyConnection,
    period: str,
    fmt: ExportFormat,
    out: Path,
    headers: Headers = Headers.EN,
) -> int:
    """Write the period's hits (ordered by rule and hit id) to `out`; returns the row count.

    A month without settled encounters raises NoDataError: an empty file would read as
    "analysed, nothing found".
    """
    require_encounters(DuckDBEngine(con), settlement_month(period))
    if not has_hits_table(con):
        raise RuleError("尚未运行分析 / no analysis has been run in this store: run `sjg analyze` first")
    query = f"SELECT {', '.join(EXPORT_COLUMNS)} FROM hits WHERE period = ? ORDER BY rule_id, hit_id"
    reader = con.execute(query, [period]).to_arrow_reader(BATCH_ROWS)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        if fmt is ExportFormat.PARQUET:
            return _write_parquet(reader, out)
        return _write_csv(reader, out, headers)
    except OSError as exc:
        raise RuleError(f"无法写出 / cannot write {out}: {exc}") from exc


def _write_parquet(reader: pa.RecordBatchReader, out: Path) -> int:
    rows = 0
    with pq.ParquetWriter(out, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def _write_csv(reader: pa.RecordBatchReader, out: Path, headers: Headers) -> int:
    """BOM and header line first, then the batches appended without a header."""
    rows = 0
    with out.open("wb") as handle:
        handle.write((BOM + csv_text(EXPORT_COLUMNS, [], EXPORT_LABELS, headers)).encode("utf-8"))
        options = pa_csv.WriteOptions(include_header=False)
        with pa_csv.CSVWriter(handle, reader.schema, write_options=options) as writer:
            for batch in reader:
                writer.write_batch(batch)
                rows += batch.num_rows
    return rows
