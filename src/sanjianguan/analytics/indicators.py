"""指标 for one user: stored indicator values by institution → department → doctor, peers, year, growth.

Reads `indicator_values` (what `sjg indicators` / `sjg analyze --indicators` stored; the
same rows `indicators.export.export_rows` exports) for the institutions the user may see.
The peer distribution (同级同类分布) is that of the judging (`indicators.evaluate`): units
of the same analysis level at institutions of the same level and category, departments
with same-named departments, store-wide; it is shown as aggregates only (median, P25,
P75) and only for at least `min_peers` peers, so that no other institution's value can be
read off it. Growth alerts are `indicators.growth.growth_alerts` of the month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

import duckdb

from sanjianguan.analytics.store import has_table
from sanjianguan.engines.duckdb import DuckDBEngine
from sanjianguan.errors import NoDataError
from sanjianguan.indicators.growth import GrowthAlert, GrowthRule, growth_alerts
from sanjianguan.indicators.model import Group
from sanjianguan.indicators.outliers import median
from sanjianguan.period import Period

TABLE = "indicator_values"
YEAR_MONTHS = 12
_GROUP_ORDER = " ".join(f"WHEN '{g.value}' THEN {n}" for n, g in enumerate(Group))
REASON_ZH = {"target": "未达标值", "peer_outlier": "同级同类离群"}


@dataclass(frozen=True)
class ValueRow:
    """One stored indicator value (指标结果) of a unit."""

    period: str
    level: str
    institution_id: str
    department: str | None
    doctor_id: str | None
    indicator: str
    indicator_name: str
    indicator_group: str
    numerator: Decimal | None
    denominator: Decimal | None
    cases: int | None
    value: Decimal | None
    target: Decimal | None
    failing: bool
    failing_reason: str | None
    peer_median: Decimal | None
    peer_lower: Decimal | None
    peer_upper: Decimal | None

    @property
    def verdict_zh(self) -> str:
        """达标 / 不达标（原因）/ 无标值."""
        if self.failing:
            return f"不达标（{REASON_ZH.get(self.failing_reason or '', self.failing_reason or '')}）"
        return "达标" if self.target is not None else "无标值"


# The columns of `indicator_values` (`indicators.results_table.COLUMNS`) a ValueRow holds, in its order.
COLUMNS = tuple(f.name for f in fields(ValueRow))


@dataclass(frozen=True)
class UnitSummary:
    """A unit one level down (an institution, a department, a doctor) and its verdicts."""

    key: str
    values: int
    failing: int


@dataclass(frozen=True)
class Distribution:
    """同级同类分布 of one indicator: aggregates of the peer group (the unit included)."""

    peers: int
    median: Decimal
    p25: Decimal
    p75: Decimal


def months(con: duckdb.DuckDBPyConnection | None, ids: Iterable[str]) -> list[str]:
    """The months with stored values for these institutions, newest first."""
    if con is None or not has_table(con, TABLE):
        return []
    rows = con.execute(
        f"SELECT DISTINCT period FROM {TABLE} WHERE period_kind = 'month' "
        "AND list_contains(?, institution_id) ORDER BY period DESC",
        [sorted(ids)],
    ).fetchall()
    return [str(r[0]) for r in rows]


def values(
    con: duckdb.DuckDBPyConnection,
    period: str | list[str],
    ids: Iterable[str],
    *,
    level: str,
    institution: str | None = None,
    department: str | None = None,
    indicator: str | None = None,
) -> list[ValueRow]:
    """Stored values of the period(s) at `level`, for the visible institutions, in export order."""
    if not has_table(con, TABLE):
        return []
    periods = [period] if isinstance(period, str) else period
    # A doctor's values are per institution, not per department (the indicators group doctors
    # apart): a department's doctors are those attending its encounters settled in the period.
    in_department = (
        "AND doctor_id IN (SELECT attending_doctor_id FROM encounters WHERE list_contains(?, period) "
        "AND institution_id = ? AND department = ?) "
        if level == "doctor" and department is not None
        else "AND (CAST(? AS VARCHAR) IS NULL OR department = ?) "
    )
    sql = (
        f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE list_contains(?, period) AND level = ? "
        "AND list_contains(?, institution_id) "
        "AND (CAST(? AS VARCHAR) IS NULL OR institution_id = ?) "
        f"{in_department}"
        "AND (CAST(? AS VARCHAR) IS NULL OR indicator = ?) "
        "ORDER BY period, institution_id, department NULLS FIRST, doctor_id NULLS FIRST, "
        f"CASE indicator_group {_GROUP_ORDER} END, indicator"
    )
    params: list[Any] = [periods, level, sorted(ids)]
    params += [institution, institution]
    params += (
        [periods, institution, department]
        if level == "doctor" and department is not None
        else [department, department]
    )
    params += [indicator, indicator]
    return [ValueRow(*row) for row in con.execute(sql, params).fetchall()]


def summarise(rows: Iterable[ValueRow], level: str) -> list[UnitSummary]:
    """Values and failing verdicts per unit of `level` (institution, department or doctor)."""
    counts: dict[str, list[int]] = {}
    for row in rows:
        key = {"institution": row.institution_id, "department": row.department}.get(level, row.doctor_id)
        tally = counts.setdefault(str(key), [0, 0])
        tally[0] += 1
        tally[1] += int(row.failing)
    return [UnitSummary(key, n, bad) for key, (n, bad) in sorted(counts.items())]


def percentile(ordered: list[Decimal], q: Decimal) -> Decimal:
    """The `q` quantile of sorted values, linearly interpolated (P50 is the median)."""
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def distribution(found: list[Decimal], min_peers: int) -> Distribution | None:
    """Median, P25 and P75 of the peer values (None below `min_peers` peers)."""
    if not found or len(found) < max(min_peers, 1):
        return None
    ordered = sorted(found)
    return Distribution(
        len(ordered),
        median(ordered),
        percentile(ordered, Decimal("0.25")),
        percentile(ordered, Decimal("0.75")),
    )


def peer_values(con: duckdb.DuckDBPyConnection, row: ValueRow) -> list[Decimal]:
    """The values of `row`'s peer group store-wide (same level; institutions of the same level
    and category; departments of the same name)."""
    sql = f"""
    WITH me AS (SELECT level AS l, category AS c FROM institutions WHERE institution_id = ?)
    SELECT v.value FROM {TABLE} v LEFT JOIN institutions i USING (institution_id), me
    WHERE v.period = ? AND v.level = ? AND v.indicator = ? AND v.value IS NOT NULL
      AND i.level IS NOT DISTINCT FROM me.l AND i.category IS NOT DISTINCT FROM me.c
      AND (? <> 'department' OR v.department = ?)
    """
    params = [row.institution_id, row.period, row.level, row.indicator, row.level, row.department]
    return [Decimal(r[0]) for r in con.execute(sql, params).fetchall()]


def year_months(period: str) -> list[str]:
    """The twelve months ending with `period` (oldest first)."""
    last = Period.parse(period)
    return [last.shift(-n).label for n in range(YEAR_MONTHS - 1, -1, -1)]


def growth(
    con: duckdb.DuckDBPyConnection, period: str, ids: Iterable[str], rule: GrowthRule
) -> list[GrowthAlert] | None:
    """The month's growth alerts of these institutions (None: no settled encounters that month)."""
    wanted = set(ids)
    try:
        alerts = growth_alerts(DuckDBEngine(con), period, rule)
    except NoDataError:
        return None
    return [a for a in alerts if a.institution_id in wanted]
