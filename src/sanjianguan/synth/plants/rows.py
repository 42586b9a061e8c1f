"""Planted rows of one settlement month as contract table columns."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sanjianguan.synth.plants.builder import PlantBook, PlantEncounter
from sanjianguan.synth.schedule import Month

TableRows = dict[str, list[dict[str, Any]]]


def _encounter_row(e: PlantEncounter) -> dict[str, Any]:
    total = sum((r["amount"] for r in e.lines), Decimal(0))
    paid = (total * Decimal("0.7")).quantize(Decimal("0.01")) if e.etype == "inpatient" else Decimal(0)
    return {
        "encounter_id": e.encounter_id,
        "institution_id": e.inst.institution_id,
        "patient_id": e.patient_id,
        "encounter_type": e.etype,
        "department": e.dept,
        "attending_doctor_id": e.doctor,
        "admit_time": e.admit,
        "discharge_time": e.discharge,
        "main_diagnosis": e.main if e.main is not None else (e.dx[0] if e.dx else ""),
        "admission_route": "门诊" if e.etype == "inpatient" else None,
        "discharge_disposition": e.disposition,
        "readmission_planned": e.planned if e.etype == "inpatient" else None,
        "drg_code": e.drg,
        "appointment": False if e.etype != "inpatient" else None,
        "clinical_pathway": False if e.etype == "inpatient" else None,
        "total_amount": total,
        "insurance_paid": paid,
        "self_paid": total - paid,
        "settled_at": e.settled or (e.discharge or e.admit),
    }


def month_rows(book: PlantBook, month: Month) -> TableRows:
    """Every planted row settled in `month`, by table."""
    return rows_of(book, book.encounters_of(month))


def rows_of(book: PlantBook, encs: list[PlantEncounter]) -> TableRows:
    """The rows of planted encounters (settled in one month), by table."""
    rows: TableRows = {
        t: []
        for t in (
            "encounters",
            "diagnoses",
            "procedures",
            "fee_items",
            "orders",
            "exam_reports",
            "consents",
            "patients",
        )
    }
    seen: set[str] = set()
    for e in encs:
        rows["encounters"].append(_encounter_row(e))
        for seq, code in enumerate(e.dx, start=1):
            rows["diagnoses"].append(
                {
                    "encounter_id": e.encounter_id,
                    "seq": seq,
                    "icd10_code": code,
                    "kind": "main" if seq == 1 else "other",
                    "present_on_admission": "1",
                }
            )
        rows["fee_items"].extend(e.lines)
        rows["orders"].extend(e.orders)
        rows["exam_reports"].extend(e.reports)
        rows["consents"].extend(e.consents)
        rows["procedures"].extend(e.procedures)
        if e.patient_id not in seen:
            seen.add(e.patient_id)
            rows["patients"].append(book.patients[e.patient_id])
    return rows


def as_columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    if not rows:
        return {}
    names = list(rows[0])
    return {n: [r.get(n) for r in rows] for n in names}
