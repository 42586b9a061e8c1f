"""The measures of the quality record (数据质控指标) of one institution and settlement month.

A *pair* is (institution_id, period); its rows are the encounters of that institution
settled in that month and their child rows (store columns `institution_id`, `period`).
Every function here reads the temp table `quality_pairs` (institution_id, period),
so that one scan of a large table serves every pair at once.

Measures (value in [0, 1] unless said otherwise; NULL when nothing was there to measure):

- `completeness` 完整性: filled ÷ expected values, over the checks in
  `COMPLETENESS_CHECKS` (values that are optional in the contract but expected).
  Empty = NULL or only blanks.
- `validity` 有效性: well-formed ÷ checked values, over `validity_checks()`: ICD-10
  codes (encounters.main_diagnosis, diagnoses.icd10_code) match `ICD10_PATTERN`, every
  contract column with enumerated `choices` holds one of them, the institution's
  region_code has 6 digits. Only non-empty values are checked (empty ones count in
  completeness).
- `consistency` 一致性: encounters without a time-logic problem ÷ encounters, where a
  problem is any of `CONSISTENCY_PROBLEMS`.
- `timeliness` 及时性: 1 when the first accepted batch of the pair arrived on or
  before the due date (day `due_day` of the following month), 0 when it arrived later
  or had not arrived by `today` after the due date, NULL while not yet due.
- `volume` 数据量: fee lines of the pair ÷ the mean fee lines of the (up to) three most
  recent earlier periods of the institution that have fee lines; NULL without such a
  period. Flagged (detail `flagged`) when outside [volume_low, volume_high]. A ratio,
  not a share: not part of the score.
- `mapping` 对码率: fee lines with a national item_code ÷ fee lines.
- `score` 综合得分: mean of the non-NULL values among completeness, validity,
  consistency and mapping. Timeliness is left out on purpose: a late or missing
  upload is its own reporting-duty event (art. 24 (二)), and counting it again as a
  quality failure (art. 24 (三)) would count one lapse twice in the yearly tally.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb

from sanjianguan.analytic_store.batch_status import BatchStatus
from sanjianguan.config import QualitySettings
from sanjianguan.contract.files import sql_literal
from sanjianguan.contract.schema import ENCOUNTER_CHILD_TABLES, TABLES, ColType
from sanjianguan.errors import SjgError
from sanjianguan.period import Period, PeriodError

PAIRS_TABLE = "quality_pairs"
MEASURES = ("completeness", "validity", "consistency", "timeliness", "volume", "mapping", "score")
SCORE_COMPONENTS = ("completeness", "validity", "consistency", "mapping")
ICD10_PATTERN = r"^[A-Z][0-9]{2}(\.[0-9A-Za-z]{1,8})?$"
REGION_PATTERN = r"^[0-9]{6}$"
VOLUME_BASELINE_PERIODS = 3
# Tables whose rows belong to one institution and settlement month.
PERIOD_TABLES = ("encounters", *ENCOUNTER_CHILD_TABLES)


@dataclass(frozen=True)
class MeasureRow:
    """One row of the quality record (质控结果)."""

    institution_id: str
    period: str
    measure: str
    numerator: float | None
    denominator: float | None
    value: float | None
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """One value check: rows of `table` where `applies` holds are checked against `ok`.

    Both are SQL predicates on the store row, aliased `t`.
    """

    label: str
    table: str
    applies: str
    ok: str


# ------------------------------------------------------------------ periods


def parse_period(period: str) -> Period:
    """The settlement month 'YYYY-MM' (with the quality record's own message when it is not one)."""
    try:
        return Period.parse(period)
    except PeriodError:
        raise SjgError(f"结算月份格式应为 YYYY-MM / period must be YYYY-MM, got {period!r}") from None


def period_end(period: str) -> date:
    """Last day of the settlement month."""
    return parse_period(period).last_day


def due_date(period: str, due_day: int) -> date:
    """Upload deadline of a settlement month: day `due_day` of the following month."""
    following = parse_period(period).end
    return date(following.year, following.month, due_day)


# ------------------------------------------------------------------ check-type measures


def _filled(column: str, text: bool = True) -> str:
    # Only text can be blank; other types are empty when NULL (and casting them is slow).
    return f"NULLIF(TRIM(t.{column}), '') IS NOT NULL" if text else f"t.{column} IS NOT NULL"


def _matches(column: str, pattern: str) -> str:
    return f"regexp_full_match(CAST(t.{column} AS VARCHAR), {sql_literal(pattern)})"


def _in_choices(column: str, choices: Iterable[str]) -> str:
    return f"CAST(t.{column} AS VARCHAR) IN ({', '.join(sql_literal(c) for c in choices)})"


_INPATIENT = "t.encounter_type = 'inpatient'"

COMPLETENESS_CHECKS: tuple[Check, ...] = (
    Check("encounters.main_diagnosis", "encounters", "TRUE", _filled("main_diagnosis")),
    Check("encounters.discharge_time", "encounters", _INPATIENT, _filled("discharge_time", text=False)),
    Check("encounters.discharge_disposition", "encounters", _INPATIENT, _filled("discharge_disposition")),
    Check("fee_items.ordering_doctor_id", "fee_items", "TRUE", _filled("ordering_doctor_id")),
    Check("fee_items.department", "fee_items", "TRUE", _filled("department")),
    Check("procedures.operator_id", "procedures", "TRUE", _filled("operator_id")),
    Check("procedures.surgery_level", "procedures", "TRUE", _filled("surgery_level", text=False)),
)


def validity_checks() -> tuple[Check, ...]:
    """Code checks: ICD-10 format, region code, and every enumerated contract column."""
    checks = [
        Check(
            "encounters.main_diagnosis",
            "encounters",
            _filled("main_diagnosis"),
            _matches("main_diagnosis", ICD10_PATTERN),
        ),
        Check(
            "diagnoses.icd10_code", "diagnoses", _filled("icd10_code"), _matches("icd10_code", ICD10_PATTERN)
        ),
        Check(
            "institutions.region_code",
            "institutions",
            _filled("region_code"),
            _matches("region_code", REGION_PATTERN),
        ),
    ]
    for name in ("institutions", *PERIOD_TABLES):
        for col in TABLES[name].columns:
            if col.choices:
                label = f"{name}.{col.name}"
                filled = _filled(col.name, text=col.type is ColType.TEXT)
                checks.append(Check(label, name, filled, _in_choices(col.name, col.choices)))
    return tuple(checks)


MAPPING_CHECK = Check("fee_items.item_code", "fee_items", "TRUE", _filled("item_code"))

# Share measures computed from value checks: measure → (detail key of failures, checks).
SHARE_MEASURES: dict[str, tuple[str, tuple[Check, ...]]] = {
    "completeness": ("missing", COMPLETENESS_CHECKS),
    "validity": ("invalid", validity_checks()),
    "mapping": ("unmapped", (MAPPING_CHECK,)),
}

CheckCounts = dict[tuple[str, str], dict[tuple[str, str], tuple[int, int]]]


def _check_counts(con: duckdb.DuckDBPyConnection, checks: list[tuple[str, Check]]) -> CheckCounts:
    """Per pair and (measure, check label): (rows checked, rows passing); one scan per table."""
    by_table: dict[str, list[tuple[str, Check]]] = {}
    for measure, check in checks:
        by_table.setdefault(check.table, []).append((measure, check))
    counts: CheckCounts = {}
    for table, table_checks in by_table.items():
        join = "t.institution_id = p.institution_id"
        if table in PERIOD_TABLES:
            join += " AND t.period = p.period"
        selects = ", ".join(
            f"count(*) FILTER (WHERE {c.applies}), count(*) FILTER (WHERE ({c.applies}) AND ({c.ok}))"
            for _, c in table_checks
        )
        sql = (
            f"SELECT p.institution_id, p.period, {selects} FROM {PAIRS_TABLE} p "
            f"JOIN {table} t ON {join} GROUP BY p.institution_id, p.period"
        )
        for row in con.execute(sql).fetchall():
            per_pair = counts.setdefault((row[0], row[1]), {})
            for i, (measure, check) in enumerate(table_checks):
                per_pair[(measure, check.label)] = (row[2 + 2 * i], row[3 + 2 * i])
    return counts


def share_measures(con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, str]]) -> list[MeasureRow]:
    """完整性, 有效性 and 对码率 of every pair: passing ÷ checked values.

    Detail: the failures per field, under `missing`, `invalid` or `unmapped`.
    """
    checks = [(m, c) for m, (_, measure_checks) in SHARE_MEASURES.items() for c in measure_checks]
    counts = _check_counts(con, checks)
    rows = []
    for measure, (failure_key, _) in SHARE_MEASURES.items():
        for pair in pairs:
            per_check = {k[1]: v for k, v in counts.get(pair, {}).items() if k[0] == measure}
            checked = sum(n for n, _ in per_check.values())
            passed = sum(k for _, k in per_check.values())
            failures = {label: n - k for label, (n, k) in sorted(per_check.items()) if n > k}
            value = passed / checked if checked else None
            rows.append(MeasureRow(*pair, measure, passed, checked, value, {failure_key: failures}))
    return rows


# ------------------------------------------------------------------ consistency

# Problem name → SQL predicate on the encounter `e` (with flags computed below).
CONSISTENCY_PROBLEMS = {
    # 出院时间早于入院时间
    "discharge_before_admission": "e.discharge_time < e.admit_time",
    # a fee line dated before the day before admission, or after the discharge day
    # (the day before is allowed: pre-admission tests are billed to the stay)
    "fee_outside_stay": "e.encounter_id IN (SELECT encounter_id FROM fee_bad)",
    # a procedure dated before the admission day or after the discharge day
    "procedure_outside_stay": "e.encounter_id IN (SELECT encounter_id FROM procedure_bad)",
    # the patient is not in `patients`
    "unknown_patient": "NOT EXISTS (SELECT 1 FROM patients pt WHERE pt.patient_id = e.patient_id)",
}

_CONSISTENCY_SQL = f"""
WITH enc AS (
  SELECT e.* FROM encounters e JOIN {PAIRS_TABLE} p USING (institution_id, period)
),
fee_bad AS (
  SELECT DISTINCT f.encounter_id FROM fee_items f JOIN enc e USING (institution_id, encounter_id)
  WHERE CAST(f.charged_at AS DATE) < CAST(e.admit_time AS DATE) - 1
     OR CAST(f.charged_at AS DATE) > CAST(e.discharge_time AS DATE)
),
procedure_bad AS (
  SELECT DISTINCT x.encounter_id FROM procedures x JOIN enc e USING (institution_id, encounter_id)
  WHERE CAST(x.performed_at AS DATE) < CAST(e.admit_time AS DATE)
     OR CAST(x.performed_at AS DATE) > CAST(e.discharge_time AS DATE)
)
SELECT e.institution_id, e.period, count(*),
  {", ".join(f"count(*) FILTER (WHERE coalesce({p}, FALSE))" for p in CONSISTENCY_PROBLEMS.values())},
  count(*) FILTER (WHERE NOT ({" OR ".join(f"coalesce({p}, FALSE)" for p in CONSISTENCY_PROBLEMS.values())}))
FROM enc e GROUP BY e.institution_id, e.period
"""


def consistency(con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, str]]) -> list[MeasureRow]:
    """一致性: encounters without a time-logic problem ÷ encounters; detail `problems`."""
    found = {(r[0], r[1]): r[2:] for r in con.execute(_CONSISTENCY_SQL).fetchall()}
    rows = []
    for pair in pairs:
        if pair not in found:
            rows.append(MeasureRow(*pair, "consistency", 0, 0, None, {"problems": {}}))
            continue
        total, *per_problem, clean = found[pair]
        problems = {name: n for name, n in zip(CONSISTENCY_PROBLEMS, per_problem, strict=True) if n}
        rows.append(MeasureRow(*pair, "consistency", clean, total, clean / total, {"problems": problems}))
    return rows


# ------------------------------------------------------------------ timeliness


def first_arrivals(
    con: duckdb.DuckDBPyConnection, period: str | None = None, until: date | None = None
) -> dict[tuple[str, str], datetime]:
    """(institution_id, period) → received_at of its earliest accepted batch.

    A multi-institution batch (institution_id NULL) counts as arriving for every
    institution whose stored encounters came with it. `until` ignores later arrivals.
    """
    sql = f"""
    WITH arrivals AS (
      SELECT institution_id, period, received_at FROM batches
      WHERE status = '{BatchStatus.ACCEPTED}' AND institution_id IS NOT NULL
      UNION ALL
      SELECT DISTINCT e.institution_id, b.period, b.received_at
      FROM batches b JOIN encounters e ON e.batch_id = b.batch_id AND e.period = b.period
      WHERE b.status = '{BatchStatus.ACCEPTED}' AND b.institution_id IS NULL
    )
    SELECT institution_id, period, min(received_at) FROM arrivals
    WHERE (CAST(? AS VARCHAR) IS NULL OR period = ?)
      AND (CAST(? AS DATE) IS NULL OR CAST(received_at AS DATE) <= ?)
      AND received_at IS NOT NULL
    GROUP BY institution_id, period
    """
    rows = con.execute(sql, [period, period, until, until]).fetchall()
    return {(r[0], r[1]): r[2] for r in rows}


def timeliness(
    con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, str]], settings: QualitySettings, today: date
) -> list[MeasureRow]:
    """及时性: 1 on time, 0 late (or missing after the due date), NULL not yet due."""
    arrivals = first_arrivals(con, until=today)
    rows = []
    for pair in pairs:
        due = due_date(pair[1], settings.due_day)
        arrived = arrivals.get(pair)
        detail: dict[str, object] = {"due": due.isoformat(), "arrived": None, "days_late": None}
        if arrived is None:
            late = (today - due).days if today > due else None
            value = None if late is None else 0.0
        else:
            detail["arrived"] = arrived.date().isoformat()
            late = max((arrived.date() - due).days, 0)
            value = 1.0 if late == 0 else 0.0
        detail["days_late"] = late
        rows.append(MeasureRow(*pair, "timeliness", value, None if value is None else 1, value, detail))
    return rows


# ------------------------------------------------------------------ volume


def _line_counts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """institution_id → period → fee lines, for the institutions of the pairs."""
    sql = (
        f"SELECT institution_id, period, count(*) FROM fee_items WHERE institution_id IN "
        f"(SELECT institution_id FROM {PAIRS_TABLE}) GROUP BY institution_id, period"
    )
    counts: dict[str, dict[str, int]] = {}
    for inst, period, n in con.execute(sql).fetchall():
        counts.setdefault(inst, {})[period] = n
    return counts


def volume(
    con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, str]], settings: QualitySettings
) -> list[MeasureRow]:
    """数据量: fee lines ÷ mean of up to three earlier periods with fee lines."""
    counts = _line_counts(con)
    rows = []
    for inst, period in pairs:
        history = counts.get(inst, {})
        lines = history.get(period, 0)
        earlier = sorted((p for p in history if p < period), reverse=True)[:VOLUME_BASELINE_PERIODS]
        baseline = sum(history[p] for p in earlier) / len(earlier) if earlier else None
        value = lines / baseline if baseline else None
        flagged = value is not None and not settings.volume_low <= value <= settings.volume_high
        detail: dict[str, object] = {"baseline_periods": sorted(earlier), "flagged": flagged}
        rows.append(MeasureRow(inst, period, "volume", lines, baseline, value, detail))
    return rows


def score(components: list[MeasureRow]) -> MeasureRow:
    """综合得分 of one pair from its component rows (see the module docstring)."""
    first = components[0]
    values = {r.measure: r.value for r in components if r.measure in SCORE_COMPONENTS}
    present = [v for v in values.values() if v is not None]
    value = sum(present) / len(present) if present else None
    total = sum(present) if present else None
    return MeasureRow(
        first.institution_id, first.period, "score", total, len(present), value, {"components": values}
    )
