"""A compact builder of store rows for rule tests: defaults for every required column."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import duckdb

from sanjianguan.analytic_store.ddl import native_table, store_columns
from sanjianguan.contract.schema import REF_TABLES, TABLES

Value = Any


def temp_tables(con: duckdb.DuckDBPyConnection, prefix: str = "") -> set[str]:
    """Names of the connection's temporary tables and views that start with `prefix`
    (a run's staging tables, an engine's views)."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'temp'"
    ).fetchall()
    return {str(r[0]) for r in rows if str(r[0]).startswith(prefix)}


class StoreBuilder:
    """Inserts institutions, patients, encounters, fee lines and KB items with defaults.

    Encounters belong to `period` unless told otherwise; fee lines inherit their
    encounter's institution and period. KB rows go into KB version 1.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, period: str = "2025-03") -> None:
        self.con = con
        self.period = period
        self._encounters: dict[str, dict[str, Value]] = {}
        self._line_ids = itertools.count(1)
        self._kb = False

    def insert(self, table: str, row: dict[str, Value]) -> None:
        """Insert one row into a store table (unknown columns are an error)."""
        known = {name for name, _ in store_columns(TABLES[table])}
        self._insert(table, row, known)

    def _insert(self, table: str, row: dict[str, Value], known: set[str]) -> None:
        unknown = set(row) - known
        assert not unknown, f"{table}: unknown columns {unknown}"
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.con.execute(f"INSERT INTO {native_table(table)} ({cols}) VALUES ({marks})", list(row.values()))

    def institution(self, institution_id: str = "H1", level: int = 3, **kw: Value) -> StoreBuilder:
        row = {"institution_id": institution_id, "name": f"医院{institution_id}", "region_code": "511502"}
        self.insert("institutions", {**row, "level": level, "category": "综合医院", "batch_id": "b", **kw})
        return self

    def patient(
        self, patient_id: str = "P1", sex: str = "1", birth_date: str = "1980-01-01", **kw: Value
    ) -> StoreBuilder:
        self.insert(
            "patients",
            {"patient_id": patient_id, "sex": sex, "birth_date": birth_date, "batch_id": "b", **kw},
        )
        return self

    def encounter(
        self,
        encounter_id: str = "E1",
        *,
        admit: str = "2025-03-01 08:00:00",
        discharge: str | None = "2025-03-05 10:00:00",
        encounter_type: str = "inpatient",
        **kw: Value,
    ) -> StoreBuilder:
        row: dict[str, Value] = {
            "encounter_id": encounter_id,
            "institution_id": "H1",
            "patient_id": "P1",
            "encounter_type": encounter_type,
            "department": "内科",
            "attending_doctor_id": "D1",
            "admit_time": admit,
            "discharge_time": discharge,
            "main_diagnosis": "J18.900",
            "total_amount": Decimal("0"),
            "period": self.period,
            "batch_id": "b",
            **kw,
        }
        self._encounters[encounter_id] = row
        self.insert("encounters", row)
        return self

    def fee(
        self,
        encounter_id: str,
        item_code: str,
        charged_at: str,
        quantity: str | int = 1,
        unit_price: str | int = 10,
        **kw: Value,
    ) -> str:
        """Insert one fee line; returns its line_id."""
        enc = self._encounters[encounter_id]
        qty, price = Decimal(str(quantity)), Decimal(str(unit_price))
        line_id = kw.pop("line_id", f"L{next(self._line_ids):04d}")
        row = {
            "institution_id": enc["institution_id"],
            "line_id": line_id,
            "encounter_id": encounter_id,
            "item_code": item_code,
            "item_type": "treatment",
            "charged_at": charged_at,
            "quantity": qty,
            "unit_price": price,
            "amount": qty * price,
            "period": enc["period"],
            "batch_id": "b",
            **kw,
        }
        self.insert("fee_items", row)
        return str(line_id)

    def item(self, item_code: str, kind: str = "service", **kw: Value) -> StoreBuilder:
        """A `ref_items` entry in KB version 1."""
        self._ensure_kb()
        known = {c.name for c in REF_TABLES["ref_items"].columns} | {"kb_version"}
        row = {"item_code": item_code, "name": f"项目{item_code}", "kind": kind, "kb_version": 1, **kw}
        self._insert("kb_ref_items", row, known)
        return self

    def _ensure_kb(self) -> None:
        if not self._kb:
            self.con.execute(
                "INSERT INTO kb_versions VALUES (1, ?, 'test', 'x', NULL)", [dt.datetime(2025, 1, 1)]
            )
            self._kb = True

    def ref(self, table: str, **kw: Value) -> StoreBuilder:
        """A row of any reference table (`ref_item_relations`, `ref_drg`, ...) in KB version 1."""
        self._ensure_kb()
        known = {c.name for c in REF_TABLES[table].columns} | {"kb_version"}
        self._insert(f"kb_{table}", {**kw, "kb_version": 1}, known)
        return self

    def order(
        self,
        encounter_id: str,
        order_id: str,
        drug_code: str,
        start_at: str,
        *,
        dose: str | int = 1,
        dose_unit: str = "mg",
        route: str = "口服",
        times_per_day: str | int = 1,
        **kw: Value,
    ) -> StoreBuilder:
        """A drug order of an encounter (inherits its institution and period; doctor D1)."""
        enc = self._encounters[encounter_id]
        row = {
            "institution_id": enc["institution_id"],
            "encounter_id": encounter_id,
            "order_id": order_id,
            "drug_code": drug_code,
            "dose": Decimal(str(dose)),
            "dose_unit": dose_unit,
            "route": route,
            "times_per_day": Decimal(str(times_per_day)),
            "start_at": start_at,
            "doctor_id": "D1",
            "period": enc["period"],
            "batch_id": "b",
            **kw,
        }
        self.insert("orders", row)
        return self
