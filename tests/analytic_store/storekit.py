"""Builders of store rows for tests: one short call per row, with sensible defaults.

Rows go straight into the store tables (as the batch loader would leave them), so
that tests of what works on the store do not depend on loading files.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from sanjianguan.analytic_store.ddl import native_table

PERIOD = "2025-03"

DEFAULTS: dict[str, dict[str, Any]] = {
    "institutions": {
        "institution_id": "H1",
        "name": "第一人民医院",
        "region_code": "510104",
        "level": 3,
        "category": "综合医院",
        "connected_on": date(2024, 1, 1),
    },
    "patients": {"patient_id": "P1", "sex": "1", "birth_date": date(1980, 1, 1)},
    "encounters": {
        "encounter_id": "E1",
        "institution_id": "H1",
        "patient_id": "P1",
        "encounter_type": "inpatient",
        "department": "内科",
        "attending_doctor_id": "D1",
        "admit_time": datetime(2025, 3, 1, 9),
        "discharge_time": datetime(2025, 3, 5, 10),
        "main_diagnosis": "I10",
        "discharge_disposition": "1",
        "total_amount": Decimal("100"),
        "period": PERIOD,
        "batch_id": "B1",
    },
    "diagnoses": {
        "institution_id": "H1",
        "encounter_id": "E1",
        "seq": 1,
        "icd10_code": "I10",
        "kind": "main",
        "period": PERIOD,
        "batch_id": "B1",
    },
    "procedures": {
        "institution_id": "H1",
        "encounter_id": "E1",
        "seq": 1,
        "icd9cm3_code": "36.0601",
        "performed_at": datetime(2025, 3, 2, 10),
        "operator_id": "D1",
        "surgery_level": 3,
        "period": PERIOD,
        "batch_id": "B1",
    },
    "fee_items": {
        "institution_id": "H1",
        "line_id": "L1",
        "encounter_id": "E1",
        "item_code": "X001",
        "item_code_source": "reported",
        "item_type": "drug_western",
        "charged_at": datetime(2025, 3, 2, 8),
        "quantity": Decimal("1"),
        "unit_price": Decimal("10"),
        "amount": Decimal("10"),
        "ordering_doctor_id": "D1",
        "department": "内科",
        "period": PERIOD,
        "batch_id": "B1",
    },
    "batches": {
        "batch_id": "B1",
        "institution_id": "H1",
        "period": PERIOD,
        "kind": "full",
        "received_at": datetime(2025, 4, 2, 10),
        "status": "accepted",
    },
}


def add(con: duckdb.DuckDBPyConnection, table: str, **values: Any) -> dict[str, Any]:
    """Insert one row: the table's defaults overridden by `values`; returns the row."""
    row = {**DEFAULTS.get(table, {}), **values}
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    con.execute(f"INSERT INTO {native_table(table)} ({columns}) VALUES ({marks})", list(row.values()))
    return row


def add_fee_lines(
    con: duckdb.DuckDBPyConnection, n: int, *, institution_id: str = "H1", period: str = PERIOD
) -> None:
    """`n` plain fee lines of one institution and month (for volume counts)."""
    con.execute(
        "INSERT INTO fee_lines (institution_id, line_id, encounter_id, item_code, item_code_source, "
        "item_type, charged_at, quantity, unit_price, amount, period, batch_id) "
        "SELECT ?, ? || '-' || i, 'E-' || ?, 'X001', 'reported', 'drug_western', "
        "TIMESTAMP '2025-01-01', 1, 1, 1, ?, 'B' FROM range(?) t(i)",
        [institution_id, period, period, period, n],
    )


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """All rows of a query."""
    return con.execute(sql, params or []).fetchall()
