"""Growth alerts (异常增长, seed 004): items and drugs whose amount at an institution jumps.

For settlement month P, the amount of an item at an institution is the sum of its fee
line amounts (refunds included) settled in P. It is compared with the previous month
(环比, `mom`) and with the same month of the previous year (同比, `yoy`):

    growth = (amount − base amount) ÷ base amount

An alert is raised when growth > `min_growth` (default 0.5, i.e. above 50 %) and the
month's amount is at least `min_amount` yuan (default 10 000). A base amount of 0 or
less (a new item, or one fully refunded) has no growth rate and raises nothing. Both
limits are configuration: `[growth]` in `<home>/targets.toml`.

The engine only sums amounts per institution, item and month (one query, the same on
DuckDB and Spark); the rates are computed here in exact decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sanjianguan.engines.base import Engine
from sanjianguan.indicators.choices import Comparison as Comparison
from sanjianguan.indicators.compute import divide
from sanjianguan.indicators.model import IndicatorError
from sanjianguan.indicators.scope import month, require_encounters
from sanjianguan.queries.compile import compile_sql

_AMOUNTS = """
SELECT f.institution_id, f.item_code, f.period,
  coalesce(min(r.name), min(f.item_name)) AS item_name,
  min(f.item_type) AS item_type,
  CAST(sum(f.amount) AS DECIMAL(18,4)) AS amount
FROM fee_items AS f
LEFT JOIN ref_items AS r ON r.item_code = f.item_code
WHERE f.period IN (:period, :previous_month, :previous_year)
GROUP BY f.institution_id, f.item_code, f.period
"""


@dataclass(frozen=True)
class GrowthRule:
    """The alert limits (configurable; the spec's defaults)."""

    min_growth: Decimal = Decimal("0.5")
    min_amount: Decimal = Decimal(10000)


@dataclass(frozen=True)
class GrowthAlert:
    """One item of one institution whose amount grew beyond the limits."""

    period: str
    institution_id: str
    item_code: str
    item_name: str | None
    item_type: str | None
    comparison: Comparison
    base_period: str
    amount: Decimal
    base_amount: Decimal
    increase: Decimal
    growth: Decimal


def previous_month(period: str) -> str:
    """`2025-01` → `2024-12`."""
    return month(period).period.shift(-1).label


def previous_year(period: str) -> str:
    """`2025-03` → `2024-03`."""
    return month(period).period.shift(-12).label


def growth_rate(amount: Decimal, base: Decimal) -> Decimal | None:
    """(amount − base) ÷ base at full precision (18 decimals); None when the base is not positive."""
    if base <= 0:
        return None
    return divide(amount - base, base)


def growth_alerts(engine: Engine, period: str, rule: GrowthRule | None = None) -> list[GrowthAlert]:
    """The month's growth alerts, ordered by institution, item and comparison.

    A month without settled encounters raises NoDataError (no data is not "no alert").
    """
    rule = rule or GrowthRule()
    require_encounters(engine, month(period))
    bases = {Comparison.MOM: previous_month(period), Comparison.YOY: previous_year(period)}
    values = {
        "period": period,
        "previous_month": bases[Comparison.MOM],
        "previous_year": bases[Comparison.YOY],
    }
    sql = compile_sql(_AMOUNTS, values, engine.dialect, where="growth", error=IndicatorError)
    _, rows = engine.fetch(sql)
    amounts: dict[tuple[str, str], dict[str, Decimal]] = {}
    names: dict[tuple[str, str], tuple[Any, Any]] = {}
    for institution_id, item_code, row_period, item_name, item_type, amount in rows:
        key = (str(institution_id), str(item_code))
        amounts.setdefault(key, {})[str(row_period)] = Decimal(amount)
        if row_period == period:
            names[key] = (item_name, item_type)
    alerts = [
        alert
        for key in sorted(names)
        for comparison in Comparison
        if (alert := _alert(period, key, names[key], amounts[key], comparison, bases[comparison], rule))
    ]
    return alerts


def _alert(
    period: str,
    key: tuple[str, str],
    name: tuple[Any, Any],
    by_period: Mapping[str, Decimal],
    comparison: Comparison,
    base_period: str,
    rule: GrowthRule,
) -> GrowthAlert | None:
    amount = by_period[period]
    base = by_period.get(base_period)
    if base is None or amount < rule.min_amount:
        return None
    rate = growth_rate(amount, base)
    if rate is None or rate <= rule.min_growth:
        return None
    item_name, item_type = name
    return GrowthAlert(
        period,
        key[0],
        key[1],
        item_name,
        item_type,
        comparison,
        base_period,
        amount,
        base,
        amount - base,
        rate,
    )


GROWTH_COLUMNS = (
    "period",
    "institution_id",
    "item_code",
    "item_name",
    "item_type",
    "comparison",
    "base_period",
    "amount",
    "base_amount",
    "increase",
    "growth",
)


GROWTH_LABELS = {
    "period": "结算月",
    "institution_id": "机构编码",
    "item_code": "项目编码",
    "item_name": "项目名称",
    "item_type": "项目类别",
    "comparison": "比较",
    "base_period": "基期",
    "amount": "本月金额(元)",
    "base_amount": "基期金额(元)",
    "increase": "增加额(元)",
    "growth": "增长率",
}


def as_rows(alerts: list[GrowthAlert]) -> list[dict[str, Any]]:
    """Alerts as export rows (`GROWTH_COLUMNS`)."""
    return [{c: getattr(a, c) for c in GROWTH_COLUMNS} for a in alerts]
