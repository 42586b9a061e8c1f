"""Institution self-check profile (机构自查画像): the figures of the self-check form, from the store.

Readings (docs/selfcheck.md explains each one):
- Population: encounters settled in the period (batch `period`, a month or the twelve
  months of a year), per institution. 门(急)诊 = outpatient + emergency; 门特 =
  chronic_outpatient; inpatients = type inpatient.
- Insured (参保人员): patients whose `insurance_type` is 职工 or 居民 (自费, 其他 and empty
  are not); 职工 and 居民 are also the two groups of items 50 and 51.
- LOS = max(1, discharge day − admission day), NULL without a discharge time (as the
  rules' `p_stays`); patient-days = Σ LOS.
- Exams of item 43 are the knowledge-base items tagged `dr`, `cr`, `ct`, `mri`.
- Coverage (数据覆盖): the settlement months of the period in which the institution has
  encounters. A year with data for some months only covers those months: the label says
  which, and the period's days (item 49's denominator) are the days of those months.
Every ratio is an exact Decimal rounded half-up to 2 places; a zero denominator gives
None (an empty cell), never 0. A period (or an institution asked for) without encounters
raises NoDataError, the analytic layer's refusal of an empty period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb

from sanjianguan.errors import NoDataError, SjgError
from sanjianguan.indicators.scope import Scope, month
from sanjianguan.reports.selfcheck.form import COST_CATEGORIES, EXAMS, INSURANCE_GROUPS, level_text

Value = Decimal | int | None

INSURED_TYPES = ("职工", "居民")
OUTPATIENT_TYPES = ("outpatient", "emergency")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class SelfCheckError(SjgError):
    """Nothing to report: an unknown institution (a period without encounters is NoDataError)."""


@dataclass(frozen=True)
class InstitutionHeader:
    """The form's header line (医疗机构名称/等级/经营性质) from `institutions`."""

    institution_id: str
    name: str
    level: int | None
    grade: str | None
    ownership: str | None

    @property
    def level_text(self) -> str:
        return level_text(self.level, self.grade)


@dataclass(frozen=True)
class Profile:
    """One institution's figures for one period, by figure id (see `form.form_rows`).

    `months` are the settlement months of the period in which the institution has data
    (数据覆盖): all of a month's, some of a year's.
    """

    institution: InstitutionHeader
    period: str
    values: dict[str, Value]
    months: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> Value:
        return self.values[key]


def ratio(numerator: Any, denominator: Any, scale: Decimal = Decimal(1)) -> Decimal | None:
    """numerator × scale ÷ denominator, rounded half-up to 0.01; None when the denominator is 0."""
    if denominator is None or denominator <= 0:
        return None
    return (Decimal(numerator or 0) * scale / Decimal(denominator)).quantize(CENT, ROUND_HALF_UP)


def _literal(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def _values(rows: Sequence[Sequence[str | None]], name: str, columns: str) -> str:
    body = ", ".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)
    return f"{name}({columns}) AS (VALUES {body})"


# The period's encounters of the chosen institutions, with the patient's insurance and the LOS.
_BASE = f"""
WITH e AS (
  SELECT e.institution_id, e.encounter_id, e.encounter_type, e.total_amount,
    p.insurance_type,
    coalesce(list_contains($insured, p.insurance_type), false) AS insured,
    CASE WHEN e.encounter_type = 'inpatient' AND e.discharge_time IS NOT NULL
      THEN greatest(1, date_diff('day', CAST(e.admit_time AS DATE), CAST(e.discharge_time AS DATE)))
    END AS los
  FROM encounters AS e
  LEFT JOIN patients AS p ON p.patient_id = e.patient_id
  WHERE e.period BETWEEN $first AND $last AND list_contains($ids, e.institution_id)
),
{_values([(k, t) for k, t, _ in INSURANCE_GROUPS], "g", "grp, insurance_type")},
{_values([(k, t) for k, _, types in COST_CATEGORIES for t in types], "c", "category, item_type")},
{_values([(tag,) for tag, _, _ in EXAMS], "t", "tag")},
tagged AS (
  SELECT DISTINCT r.item_code, t.tag
  FROM ref_items AS r
  JOIN t ON concat('|', lower(coalesce(r.tags, '')), '|') LIKE concat('%|', t.tag, '|%')
)
"""

_VISITS = (
    _BASE
    + """
SELECT institution_id,
  count(*) AS encounters,
  count(*) FILTER (WHERE encounter_type IN ('outpatient', 'emergency')) AS opd,
  count(*) FILTER (WHERE encounter_type IN ('outpatient', 'emergency') AND insured) AS opd_insured,
  count(*) FILTER (WHERE encounter_type = 'chronic_outpatient' AND insured) AS chronic,
  sum(total_amount) FILTER (WHERE encounter_type = 'chronic_outpatient' AND insured) AS chronic_cost
FROM e
GROUP BY institution_id
"""
)

_STAYS = (
    _BASE
    + """
SELECT e.institution_id, g.grp, count(*) AS stays, count(*) FILTER (WHERE e.insured) AS insured,
  sum(e.total_amount) AS cost, sum(e.los) AS patient_days, count(e.los) AS stays_with_los
FROM e
JOIN g ON g.insurance_type IS NULL OR g.insurance_type = e.insurance_type
WHERE e.encounter_type = 'inpatient'
GROUP BY e.institution_id, g.grp
"""
)

# Shares of item 51 divide by the inpatients' fee-line total, so the five categories add up to 100.
_STRUCTURE = (
    _BASE
    + """
SELECT e.institution_id, g.grp, coalesce(c.category, 'other') AS category, sum(f.amount) AS amount
FROM fee_items AS f
JOIN e ON e.encounter_id = f.encounter_id AND e.encounter_type = 'inpatient'
JOIN g ON g.insurance_type IS NULL OR g.insurance_type = e.insurance_type
LEFT JOIN c ON c.item_type = f.item_type
WHERE f.period BETWEEN $first AND $last
GROUP BY ALL
"""
)

_EXAM_CHARGES = (
    _BASE
    + """
SELECT institution_id, tag, sum(quantity) AS quantity, sum(amount) AS amount,
  count(*) FILTER (WHERE quantity > 0) AS encounters
FROM (
  SELECT f.institution_id, f.encounter_id, tagged.tag, sum(f.quantity) AS quantity, sum(f.amount) AS amount
  FROM fee_items AS f
  JOIN e ON e.encounter_id = f.encounter_id
  JOIN tagged ON tagged.item_code = f.item_code
  WHERE f.period BETWEEN $first AND $last
  GROUP BY ALL
) AS net
GROUP BY ALL
"""
)

_EXAM_REPORTS = (
    _BASE
    + """
SELECT x.institution_id, tagged.tag, count(*) AS reports, count(*) FILTER (WHERE x.positive) AS positive
FROM exam_reports AS x
JOIN tagged ON tagged.item_code = x.item_code
WHERE x.period BETWEEN $first AND $last AND list_contains($ids, x.institution_id)
GROUP BY ALL
"""
)

_HEADERS = """
SELECT institution_id, name, level, grade, ownership, beds_approved, beds_open
FROM institutions
WHERE list_contains($ids, institution_id)
"""


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    cursor = con.execute(sql, used)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def coverage(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[str, tuple[str, ...]]:
    """Settlement months of the period with encounters (数据覆盖), per institution."""
    rows = con.execute(
        "SELECT DISTINCT institution_id, period FROM encounters WHERE period BETWEEN ? AND ?",
        [scope.first_period, scope.last_period],
    ).fetchall()
    months: dict[str, list[str]] = {}
    for institution_id, period in rows:
        months.setdefault(str(institution_id), []).append(str(period))
    return {iid: tuple(sorted(found)) for iid, found in months.items()}


def covered_days(months: Sequence[str]) -> int:
    """Calendar days of the settlement months (the denominator's 期间天数 of item 49)."""
    return sum(month(m).calendar_days for m in months)


def select_institutions(
    con: duckdb.DuckDBPyConnection, scope: Scope, institution_ids: Sequence[str] | None
) -> list[str]:
    """The institutions to report: the ones asked for, else every one with encounters in the period.

    Raises SelfCheckError for an unknown institution, NoDataError when there is nothing to report.
    """
    active = set(coverage(con, scope))
    if not institution_ids:
        if not active:
            raise NoDataError(scope.label)
        return sorted(active)
    wanted = list(dict.fromkeys(institution_ids))
    known = {
        r[0]
        for r in con.execute(
            "SELECT institution_id FROM institutions UNION SELECT institution_id FROM encounters"
        ).fetchall()
    }
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise SelfCheckError(f"未知机构 / unknown institution: {', '.join(unknown)}")
    empty = [i for i in wanted if i not in active]
    if empty:
        raise NoDataError(scope.label, institutions=tuple(empty))
    return wanted


def compute_profiles(
    con: duckdb.DuckDBPyConnection, scope: Scope, institution_ids: Sequence[str] | None = None
) -> list[Profile]:
    """The self-check profile of each institution (all with encounters in the period when none given)."""
    ids = select_institutions(con, scope, institution_ids)
    params: dict[str, Any] = {
        "first": scope.first_period,
        "last": scope.last_period,
        "ids": ids,
        "insured": list(INSURED_TYPES),
    }
    headers = {r["institution_id"]: r for r in _rows(con, _HEADERS, params)}
    visits = {r["institution_id"]: r for r in _rows(con, _VISITS, params)}
    stays = {(r["institution_id"], r["grp"]): r for r in _rows(con, _STAYS, params)}
    structure = {
        (r["institution_id"], r["grp"], r["category"]): r["amount"] for r in _rows(con, _STRUCTURE, params)
    }
    charges = {(r["institution_id"], r["tag"]): r for r in _rows(con, _EXAM_CHARGES, params)}
    reports = {(r["institution_id"], r["tag"]): r for r in _rows(con, _EXAM_REPORTS, params)}
    months = coverage(con, scope)

    profiles = []
    for iid in ids:
        head = headers.get(iid, {})
        values: dict[str, Value] = {}
        visit = visits.get(iid, {})
        _visit_figures(values, visit)
        for tag, _, _ in EXAMS:
            _exam_figures(values, tag, visit, charges.get((iid, tag), {}), reports.get((iid, tag), {}))
        days = covered_days(months[iid])
        _stay_figures(values, days, head, {grp: stays.get((iid, grp), {}) for grp, _, _ in INSURANCE_GROUPS})
        for grp, _, _ in INSURANCE_GROUPS:
            amounts = {cat: structure.get((iid, grp, cat)) or Decimal(0) for cat, _, _ in COST_CATEGORIES}
            total = sum(amounts.values(), Decimal(0))
            for cat, amount in amounts.items():
                values[f"share_{cat}_{grp}"] = ratio(amount, total, HUNDRED)
        header = InstitutionHeader(
            iid, head.get("name") or "", head.get("level"), head.get("grade"), head.get("ownership")
        )
        profiles.append(Profile(header, scope.label, values, months[iid]))
    return profiles


def _visit_figures(values: dict[str, Value], visit: dict[str, Any]) -> None:
    opd, opd_insured = int(visit.get("opd") or 0), int(visit.get("opd_insured") or 0)
    chronic = int(visit.get("chronic") or 0)
    values.update(
        opd_visits=opd,
        opd_insured=opd_insured,
        opd_insured_share=ratio(opd_insured, opd, HUNDRED),
        chronic_visits=chronic,
        chronic_cost_per_visit=ratio(visit.get("chronic_cost"), chronic),
    )


def _exam_figures(
    values: dict[str, Value],
    tag: str,
    visit: dict[str, Any],
    charge: dict[str, Any],
    report: dict[str, Any],
) -> None:
    values[f"{tag}_price"] = ratio(charge.get("amount"), charge.get("quantity"))
    values[f"{tag}_use_rate"] = ratio(charge.get("encounters"), visit.get("encounters"), HUNDRED)
    values[f"{tag}_positive_rate"] = ratio(report.get("positive"), report.get("reports"), HUNDRED)


def _stay_figures(
    values: dict[str, Value], days: int, head: dict[str, Any], groups: dict[str, dict[str, Any]]
) -> None:
    everyone = groups["all"]
    stays = int(everyone.get("stays") or 0)
    insured = int(everyone.get("insured") or 0)
    patient_days = int(everyone.get("patient_days") or 0)
    beds_open = head.get("beds_open")
    values.update(
        ipd_stays=stays,
        ipd_insured=insured,
        ipd_insured_share=ratio(insured, stays, HUNDRED),
        inpatients_per_100_visits=ratio(stays, values["opd_visits"], HUNDRED),
        beds_approved=head.get("beds_approved"),
        beds_open=beds_open,
        patient_days=patient_days,
        calendar_days=days,
        bed_occupancy=ratio(patient_days, (beds_open or 0) * days, HUNDRED),
    )
    for grp, row in groups.items():
        values[f"cost_per_stay_{grp}"] = ratio(row.get("cost"), row.get("stays"))
        values[f"los_avg_{grp}"] = ratio(row.get("patient_days"), row.get("stays_with_los"))
