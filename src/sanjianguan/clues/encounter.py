"""线索证据 (evidence as a reviewer needs it): the encounter(s) behind a hit, read from the store.

A hit names its encounter (`clues.encounter_id`, and `related_encounter_id` in the
evidence) and, in its evidence JSON, the fee lines and drug orders it is about
(`line_id`, `line_ids`, `order_ids`, `order_pairs`, ...: `LINE_KEYS`, `ORDER_KEYS`).
`encounter_detail` reads those encounters of the clue's institution from the analytic
store (fee lines, drug orders, diagnoses) and marks what the evidence names (`hit`).
Encounters of other institutions are only named, never opened (they are not the
clue's institution's to show). `stay_timeline` lists the patient's stays and visits
around the hit, for the rules about stays and admissions (`STAY_RULES`), marking the
ones the evidence names.

Identities: patient ids in the store are pseudonymised on load (`analytic_store.masking`);
they pass through `mask_patient_id` again here so that an unmasked id never reaches a page.
Staff are shown by id only, as the API shows the clue's doctor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import duckdb

from sanjianguan.analytic_store.masking import mask_patient_id
from sanjianguan.workflow_db.models import Clue

LINE_KEYS = (
    "line_id",
    "line_ids",
    "including_line_ids",
    "excluding_line_ids",
    "early_line_ids",
    "bed_nursing_line_ids",
    "earlier_line_id",
    "source_ids",  # D07: the antibiotic's order ids and fee line ids
)
ORDER_KEYS = ("order_id", "order_ids", "order_pairs", "earlier_order_id", "source_ids")
DIAGNOSIS_KEYS = ("icd10_code", "main_diagnosis", "diagnoses")
ENCOUNTER_KEYS = (
    "related_encounter_id",
    "encounters",
    "encounter_ids",
    "similar_encounters",
    "frequent_encounters",
    "clustered_encounters",
)
# Rules about stays, admissions or visits: the page shows the patient's timeline.
STAY_RULES = frozenset(
    {"C05", "C09", "T01", "T02", "T03", "T06", "T08", "T10", "T11", "T13", "T14", "S01", "S02", "S03", "S04"}
)
TIMELINE_MARGIN = timedelta(days=30)
MAX_LINES = 2000
MAX_STAYS = 200
ENCOUNTER_TYPE_ZH = {
    "inpatient": "住院",
    "outpatient": "门诊",
    "emergency": "急诊",
    "chronic_outpatient": "门特门慢",
}
_PAIR = re.compile(r"[>+]")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class EvidenceRefs:
    """What a clue's evidence names: fee lines, orders, diagnoses, encounters and dates."""

    line_ids: frozenset[str]
    order_ids: frozenset[str]
    diagnoses: frozenset[str]
    encounters: frozenset[str]
    days: tuple[date, ...]

    @classmethod
    def of(cls, clue: Clue) -> EvidenceRefs:
        evidence = clue.evidence or {}
        stays = [s.split("|") for s in _strings(evidence.get("stays"))]
        encounters = set(_collect(evidence, ENCOUNTER_KEYS)) | {s[1] for s in stays if len(s) > 1}
        if clue.encounter_id:
            encounters.add(clue.encounter_id)
        orders = {part for o in _collect(evidence, ORDER_KEYS) for part in _PAIR.split(o) if part}
        days = sorted({d for d in map(_day, _all_strings(evidence)) if d is not None})
        if clue.event_date:
            days = sorted({*days, clue.event_date})
        return cls(
            line_ids=frozenset(_collect(evidence, LINE_KEYS)),
            order_ids=frozenset(orders),
            diagnoses=frozenset(code.upper() for code in _collect(evidence, DIAGNOSIS_KEYS)),
            encounters=frozenset(encounters),
            days=tuple(days),
        )


@dataclass(frozen=True)
class FeeLine:
    line_id: str
    item_code: str | None
    item_name: str | None
    item_type: str | None
    charged_at: datetime | None
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal | None
    doctor_id: str | None
    department: str | None
    hit: bool


@dataclass(frozen=True)
class DrugOrder:
    order_id: str
    drug_code: str | None
    drug_name: str | None
    dose: Decimal | None
    dose_unit: str | None
    route: str | None
    times_per_day: Decimal | None
    start_at: datetime | None
    end_at: datetime | None
    days_supply: int | None
    doctor_id: str | None
    hit: bool


@dataclass(frozen=True)
class Diagnosis:
    seq: int | None
    icd10_code: str | None
    name: str | None
    kind: str | None
    hit: bool


@dataclass(frozen=True)
class Encounter:
    """One encounter of the clue's institution with its lines, orders and diagnoses."""

    encounter_id: str
    encounter_type: str | None
    department: str | None
    doctor_id: str | None
    patient_id: str | None
    admit_time: datetime | None
    discharge_time: datetime | None
    main_diagnosis: str | None
    drg_code: str | None
    total_amount: Decimal | None
    period: str | None
    lines: list[FeeLine] = field(default_factory=list)
    orders: list[DrugOrder] = field(default_factory=list)
    diagnoses: list[Diagnosis] = field(default_factory=list)
    lines_cut: bool = False

    @property
    def type_zh(self) -> str:
        return ENCOUNTER_TYPE_ZH.get(self.encounter_type or "", self.encounter_type or "")

    @property
    def hit_line_ids(self) -> list[str]:
        return [line.line_id for line in self.lines if line.hit]


@dataclass(frozen=True)
class EncounterDetail:
    """The encounters behind a hit that the store still holds, and those it does not."""

    encounters: list[Encounter]
    missing: list[str]  # named encounters of the clue's institution not in the store (purged)
    elsewhere: list[str]  # named encounters at other institutions (not opened)


@dataclass(frozen=True)
class Stay:
    """One row of the patient's timeline."""

    encounter_id: str
    institution_id: str
    encounter_type: str | None
    admit_day: date | None
    discharge_day: date | None
    hit: bool

    @property
    def days(self) -> int | None:
        """Length of stay (discharge − admission; a same-day visit: 0)."""
        if self.admit_day is None or self.discharge_day is None:
            return None
        return (self.discharge_day - self.admit_day).days

    @property
    def type_zh(self) -> str:
        return ENCOUNTER_TYPE_ZH.get(self.encounter_type or "", self.encounter_type or "")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


def _collect(evidence: Mapping[str, Any], keys: Iterable[str]) -> list[str]:
    return [s for key in keys for s in _strings(evidence.get(key)) if s]


def _all_strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _all_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _all_strings(v)]
    return [value] if isinstance(value, str) else []


def _day(text: str) -> date | None:
    head = text.split("|", 1)[0]
    if not _ISO_DAY.match(head):
        return None
    try:
        return date.fromisoformat(head[:10])
    except ValueError:
        return None


ENCOUNTER_SQL = """
SELECT encounter_id, encounter_type, department, attending_doctor_id, patient_id, admit_time,
  discharge_time, main_diagnosis, drg_code, total_amount, period
FROM encounters WHERE institution_id = ? AND encounter_id = ?
ORDER BY period DESC LIMIT 1
"""
LINES_SQL = """
SELECT f.line_id, f.item_code, coalesce(f.item_name, r.name), f.item_type, f.charged_at, f.quantity,
  f.unit_price, f.amount, f.ordering_doctor_id, f.department
FROM fee_items AS f LEFT JOIN ref_items AS r ON r.item_code = f.item_code
WHERE f.institution_id = ? AND f.encounter_id = ?
ORDER BY f.charged_at, f.line_id LIMIT ?
"""
ORDERS_SQL = """
SELECT o.order_id, o.drug_code, r.name, o.dose, o.dose_unit, o.route, o.times_per_day, o.start_at,
  o.end_at, o.days_supply, o.doctor_id
FROM orders AS o LEFT JOIN ref_items AS r ON r.item_code = o.drug_code
WHERE o.institution_id = ? AND o.encounter_id = ?
ORDER BY o.start_at, o.order_id
"""
DIAGNOSES_SQL = """
SELECT d.seq, d.icd10_code, c.name, d.kind
FROM diagnoses AS d LEFT JOIN ref_icd10 AS c ON c.icd10_code = d.icd10_code
WHERE d.institution_id = ? AND d.encounter_id = ?
ORDER BY d.seq
"""


def encounter_detail(con: duckdb.DuckDBPyConnection, clue: Clue, salt: str) -> EncounterDetail:
    """The encounters the hit names at the clue's institution, with what the evidence names marked."""
    refs = EvidenceRefs.of(clue)
    named = [e for e in (clue.encounter_id, (clue.evidence or {}).get("related_encounter_id")) if e]
    found: list[Encounter] = []
    missing: list[str] = []
    for encounter_id in dict.fromkeys(str(e) for e in named):
        encounter = _encounter(con, clue.institution_id, encounter_id, refs, salt)
        if encounter is None:
            missing.append(encounter_id)
        else:
            found.append(encounter)
    return EncounterDetail(found, missing, _elsewhere(clue))


def _elsewhere(clue: Clue) -> list[str]:
    """Encounters the evidence places at another institution (`stays`: day|encounter|institution)."""
    out = []
    for stay in _strings((clue.evidence or {}).get("stays")):
        parts = stay.split("|")
        if len(parts) > 2 and parts[2] != clue.institution_id:
            out.append(parts[1])
    return sorted(set(out))


def _encounter(
    con: duckdb.DuckDBPyConnection, institution: str, encounter_id: str, refs: EvidenceRefs, salt: str
) -> Encounter | None:
    row = con.execute(ENCOUNTER_SQL, [institution, encounter_id]).fetchone()
    if row is None:
        return None
    key = [institution, encounter_id]
    lines = _rows(con, LINES_SQL, [*key, MAX_LINES + 1])
    return Encounter(
        encounter_id=str(row[0]),
        encounter_type=row[1],
        department=row[2],
        doctor_id=row[3],
        patient_id=mask_patient_id(salt, row[4]) if row[4] else None,
        admit_time=row[5],
        discharge_time=row[6],
        main_diagnosis=row[7],
        drg_code=row[8],
        total_amount=row[9],
        period=row[10],
        lines=[FeeLine(*[*r, str(r[0]) in refs.line_ids]) for r in lines[:MAX_LINES]],
        orders=[DrugOrder(*[*r, str(r[0]) in refs.order_ids]) for r in _rows(con, ORDERS_SQL, key)],
        diagnoses=[
            Diagnosis(*[*r, str(r[1] or "").upper() in refs.diagnoses])
            for r in _rows(con, DIAGNOSES_SQL, key)
        ],
        lines_cut=len(lines) > MAX_LINES,
    )


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[Any]:
    """The rows of a query, untyped (each is given to a dataclass in column order)."""
    return list(con.execute(sql, params).fetchall())


TIMELINE_SQL = """
SELECT encounter_id, institution_id, encounter_type, CAST(admit_time AS DATE), CAST(discharge_time AS DATE)
FROM encounters
WHERE patient_id = ? AND CAST(admit_time AS DATE) BETWEEN ? AND ?
ORDER BY admit_time, encounter_id LIMIT ?
"""


def stay_timeline(con: duckdb.DuckDBPyConnection, clue: Clue) -> list[Stay] | None:
    """The patient's encounters around the hit (stay rules only; None for other rules).

    The window runs from 30 days before the earliest date the evidence names (or the event
    date) to 30 days after the latest; the encounters the evidence names are marked.
    """
    if clue.rule_id not in STAY_RULES or not clue.patient_id:
        return None
    refs = EvidenceRefs.of(clue)
    if not refs.days:
        return []
    start, end = refs.days[0] - TIMELINE_MARGIN, refs.days[-1] + TIMELINE_MARGIN
    rows = con.execute(TIMELINE_SQL, [clue.patient_id, start, end, MAX_STAYS]).fetchall()
    return [Stay(str(r[0]), str(r[1]), r[2], r[3], r[4], hit=str(r[0]) in refs.encounters) for r in rows]
