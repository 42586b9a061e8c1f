"""What the store holds (库状态): the data behind `sjg status`.

`store_status` returns a JSON-ready dict with these stable keys:

- `schema_version`: the store schema version (table `meta`), or null.
- `tables`: row count of every contract table (institutions, staff, patients,
  encounters, diagnoses, procedures, fee_items, orders, exam_reports, consents).
- `system`: row count of the system tables (batches, quarantine, code_map,
  quality, reporting_events, kb_versions).
- `by_period`: settlement month → {"encounters": n, "fee_items": n}, sorted.
- `by_institution`: institution_id → {"encounters": n, "fee_items": n}, sorted.
- `batches`: {"total": n, "accepted": n, "rejected": n} plus a count for any
  other status present.
- `quarantined_rows`: rows in the quarantine (隔离区).
- `kb_version`: the current knowledge-base version (max kb_version), or null.
- `reference`: rows of every reference table (知识库参考表) in the current version, 0 when
  the table is absent from it (never loaded, or loaded empty) or no version exists. An
  operator reads here whether the optional tables are there: without
  `ref_tcm_advantage_diseases` the indicator 中医优势病种比例 has no value, without
  `ref_icd10` rule R01 checks the form of diagnosis codes only (`ABSENT_EFFECT`).
"""

from __future__ import annotations

from typing import Any

import duckdb

from sanjianguan.analytic_store.batch_status import BatchStatus
from sanjianguan.contract.schema import REF_TABLES, TABLES

SYSTEM_TABLES = ("batches", "quarantine", "code_map", "quality", "reporting_events", "kb_versions")
VOLUME_TABLES = ("encounters", "fee_items")
# What an absent reference table means for the analysis, for the tables whose absence is
# allowed but changes a result (the others are needed by many rules and always loaded).
ABSENT_EFFECT = {
    "ref_tcm_advantage_diseases": "中医优势病种比例无值 / tcm_advantage_disease_ratio has no value",
    "ref_icd10": "R01 只校验编码格式 / R01 checks the code format only",
}


def store_status(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Row counts and versions of the store (keys documented in the module docstring)."""
    return {
        "schema_version": _scalar(con, "SELECT value FROM meta WHERE key = 'schema_version'"),
        "tables": {name: _count(con, name) for name in TABLES},
        "system": {name: _count(con, name) for name in SYSTEM_TABLES},
        "by_period": _volumes(con, "period"),
        "by_institution": _volumes(con, "institution_id"),
        "batches": _batches(con),
        "quarantined_rows": _count(con, "quarantine"),
        "kb_version": _scalar(con, "SELECT max(kb_version) FROM kb_versions"),
        "reference": {name: _count(con, name) for name in REF_TABLES},
    }


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    return row[0] if row else None


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(_scalar(con, f"SELECT count(*) FROM {table}"))


def _volumes(con: duckdb.DuckDBPyConnection, key: str) -> dict[str, dict[str, int]]:
    """key value → rows of encounters and fee_items (0 when a table has none)."""
    result: dict[str, dict[str, int]] = {}
    for table in VOLUME_TABLES:
        for value, n in con.execute(f"SELECT {key}, count(*) FROM {table} GROUP BY {key}").fetchall():
            result.setdefault(str(value), dict.fromkeys(VOLUME_TABLES, 0))[table] = int(n)
    return dict(sorted(result.items()))


def _batches(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    counts = {"total": 0, BatchStatus.ACCEPTED.value: 0, BatchStatus.REJECTED.value: 0}
    for status, n in con.execute("SELECT status, count(*) FROM batches GROUP BY status").fetchall():
        counts[str(status)] = counts.get(str(status), 0) + int(n)
        counts["total"] += int(n)
    return counts
