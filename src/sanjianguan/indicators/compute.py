"""Computing indicators on an engine (指标计算): contribution rows → values per level.

An indicator's query returns contribution rows (one per stay, encounter, report,
staff member ...) with `institution_id`, `department`, `doctor_id` and either
`numerator`, `denominator`, `cases` (measure `sum`) or a `distinct_key` (measure
`distinct`: a count of distinct keys). The runner wraps it in one GROUP BY GROUPING
SETS query, so each indicator is one engine query for all its levels:

- institution: per `institution_id`;
- department: per `institution_id, department`;
- doctor: per `institution_id, doctor_id` (a doctor across departments).

Numerator and denominator come back as exact DECIMAL(38,12) sums (the contribution
rows are DECIMAL(18,4) amounts, integers, or the 12-decimal ratios of `i_oe`), so no
sum is rounded to 4 decimals on the way; the value is computed here in Python
decimals: numerator ÷ denominator (× 100 for per-100 units), kept at full precision:
38 significant digits, rounded half-up to 18 decimals (`VALUE_SCALE`, more than a
double carries), stored as DECIMAL(38,18) and exported as is. Only terminal tables
round for display. A zero or missing denominator gives no row (the value is undefined,
never 0); a count's value is its numerator and its denominator is empty.

Zero counts: an institution with encounters settled in the period that contributes
nothing to a count (e.g. no TCM technique charged) gets an institution-level row with
value 0, not no row; departments and doctors appear only where they contribute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import partial
from typing import Any

from sqlglot import exp

from sanjianguan.engines.base import Engine
from sanjianguan.indicators.model import Indicator, IndicatorError, Level, Measure, Unit
from sanjianguan.indicators.scope import Scope
from sanjianguan.indicators.views import indicator_views
from sanjianguan.queries.compile import BoundValue, compile_sql, parse, placeholders
from sanjianguan.queries.params import ParamValue
from sanjianguan.queries.period import month_range
from sanjianguan.queries.views import View, compile_views

VALUE_SCALE = 18
VALUE_QUANTUM = Decimal(1).scaleb(-VALUE_SCALE)
VALUE_SQL_TYPE = f"DECIMAL(38,{VALUE_SCALE})"
_PRECISION = 38
# The values' arithmetic: 38 significant digits, half-up. A context of its own rather than a
# `localcontext` per value (two per quotient cost about a second of a city month's values).
_VALUES = Context(prec=_PRECISION, rounding=ROUND_HALF_UP)
# Type of the summed numerator and denominator: wide enough for the 12-decimal ratios of i_oe.
SUM_TYPE = "DECIMAL(38,12)"
_SETS = {
    Level.INSTITUTION: "(u.institution_id)",
    Level.DEPARTMENT: "(u.institution_id, u.department)",
    Level.DOCTOR: "(u.institution_id, u.doctor_id)",
}


@dataclass(frozen=True)
class IndicatorValue:
    """One indicator value for one unit (机构/科室/医师) and period."""

    indicator: str
    level: Level
    institution_id: str
    department: str | None
    doctor_id: str | None
    numerator: Decimal
    denominator: Decimal | None
    cases: int
    value: Decimal

    @property
    def unit_key(self) -> tuple[str, str | None, str | None]:
        return (self.institution_id, self.department, self.doctor_id)


def wrap(indicator: Indicator) -> str:
    """The DuckDB SQL that adds the indicator's contribution rows up per level."""
    if indicator.measure is Measure.DISTINCT:
        measures = (
            f"CAST(count(DISTINCT u.distinct_key) AS {SUM_TYPE}) AS numerator, "
            f"CAST(NULL AS {SUM_TYPE}) AS denominator, CAST(count(*) AS BIGINT) AS cases"
        )
    else:
        measures = (
            f"CAST(sum(u.numerator) AS {SUM_TYPE}) AS numerator, "
            f"CAST(sum(u.denominator) AS {SUM_TYPE}) AS denominator, "
            "CAST(sum(u.cases) AS BIGINT) AS cases"
        )
    sets = ", ".join(_SETS[level] for level in Level if level in indicator.levels)
    # GROUPING() and the columns only exist for levels that are grouping sets.
    cases, columns = [], []
    for level, column in ((Level.DEPARTMENT, "department"), (Level.DOCTOR, "doctor_id")):
        if level in indicator.levels:
            cases.append(f"WHEN grouping(u.{column}) = 0 THEN '{level.value}'")
            columns.append(f"u.{column}")
        else:
            columns.append(f"CAST(NULL AS VARCHAR) AS {column}")
    level_sql = f"CASE {' '.join(cases)} ELSE 'institution' END" if cases else "'institution'"
    return f"""
SELECT {level_sql} AS level, u.institution_id, {", ".join(columns)},
  {measures}
FROM ({indicator.query}) AS u
GROUP BY GROUPING SETS ({sets})
"""


def view_sql(scope: Scope, dialect: str) -> list[tuple[str, str]]:
    """(name, SQL compiled for `dialect`) of the views scoped to the period's months."""
    views = compile_views(indicator_views(), month_range(scope.period), dialect, error=IndicatorError)
    return [(view.name, sql) for view, sql in views]


def prepare(engine: Engine, scope: Scope, indicators: Sequence[Indicator] | None = None) -> None:
    """Create the period-scoped views the indicator queries read: those of `indicators` (and
    the views they read, and `p_encounters`), or every view when None.

    A few indicators chosen (`sjg indicators --indicators cmi`) do not pay for the views
    of the others: on DuckDB most views are built as tables, the charge flags from every
    fee line of the period."""
    views = indicator_views() if indicators is None else needed_views(indicators)
    values = month_range(scope.period)
    for view, sql in compile_views(views, values, engine.dialect, error=IndicatorError):
        engine.create_view(view, sql)


def needed_views(indicators: Sequence[Indicator]) -> list[View]:
    """The views the indicators' queries read, directly or through other views, in dependency
    order; `p_encounters` always (the institutions reporting in the period are read from it)."""
    views = indicator_views()
    sql = {v.name: v.sql for v in views}
    wanted: set[str] = set()
    pending = ["p_encounters", *(name for i in indicators for name in _tables(i.query))]
    while pending:
        name = pending.pop()
        if name in sql and name not in wanted:
            wanted.add(name)
            pending.extend(_tables(sql[name]))
    return [v for v in views if v.name in wanted]


def _tables(sql: str) -> set[str]:
    """The names a query reads FROM or JOINs (tables, views, and its own CTE names)."""
    return {table.name for table in parse(sql, error=IndicatorError).find_all(exp.Table)}


def needs_working_days(indicator: Indicator) -> bool:
    """Whether the indicator's query reads `:working_days` (the period's official working days)."""
    return "working_days" in placeholders(parse(indicator.query, error=IndicatorError))


@dataclass(frozen=True)
class Skipped:
    """An indicator not computed for a period: it needs the working days of a year the
    official calendar lacks (no values, nothing judged; `sjg calendar load FILE` fixes it)."""

    period: str
    indicator: str
    name_zh: str
    years: tuple[int, ...]

    @property
    def warning(self) -> str:
        years = "、".join(str(y) for y in self.years)
        years_en = ", ".join(str(y) for y in self.years)
        return (
            f"警告：{self.period} 未计算指标 {self.indicator}（{self.name_zh}）：{years} 年法定节假日日历"
            f"尚未载入，工作日数未知；请用 sjg calendar load FILE 载入该年日历后重新计算 / warning: "
            f"{self.period}: indicator {self.indicator} not computed: the official calendar of "
            f"{years_en} is not loaded, so its working days are unknown; load it with "
            "'sjg calendar load FILE' and run again"
        )


def calendar_gaps(indicators: Sequence[Indicator], scope: Scope) -> list[Skipped]:
    """The indicators that cannot be computed for the scope: they need working days of a year
    its calendar lacks (never counted on a provisional calendar)."""
    missing = tuple(scope.missing_years())
    if not missing:
        return []
    return [Skipped(scope.label, i.id, i.name_zh, missing) for i in indicators if needs_working_days(i)]


def indicator_sql(indicator: Indicator, scope: Scope, params: Mapping[str, ParamValue], dialect: str) -> str:
    """The indicator's query added up per level, with `params` and the period bound, for `dialect`."""
    need = needs_working_days(indicator)
    values: dict[str, BoundValue] = {**params, **scope.values(need_working_days=need)}
    return compile_sql(wrap(indicator), values, dialect, where=indicator.id, error=IndicatorError)


def compute_indicator(
    engine: Engine, indicator: Indicator, scope: Scope, params: Mapping[str, ParamValue]
) -> list[IndicatorValue]:
    """The values of one indicator at every level it declares, in no particular order (views
    must be prepared)."""
    _, rows = engine.fetch(indicator_sql(indicator, scope, params, engine.dialect))
    found = [_value(indicator, row) for row in rows]
    return [v for v in found if v is not None]  # in no order: `values_each` sorts them


def compute(
    engine: Engine,
    indicators: Sequence[Indicator],
    scope: Scope,
    params: Mapping[str, Mapping[str, ParamValue]] | None = None,
) -> list[IndicatorValue]:
    """Every value of the indicators for the scope, in a stable order."""
    return [v for values in values_each(engine, indicators, scope, params) for v in values]


def values_each(
    engine: Engine,
    indicators: Sequence[Indicator],
    scope: Scope,
    params: Mapping[str, Mapping[str, ParamValue]] | None = None,
) -> Iterator[list[IndicatorValue]]:
    """Each indicator's values in a stable order, one indicator after another (in the order
    of `indicators`), holding none of them afterwards.

    The views are created first; the queries then only read them, so the engine may run
    several at once (`Engine.run_all`), with results in the order asked."""
    prepare(engine, scope, indicators)
    tasks: list[Callable[[], list[Any]]] = [partial(reporting_institutions, engine)]
    for indicator in indicators:
        chosen = (params or {}).get(indicator.id, indicator.defaults())
        tasks.append(partial(compute_indicator, engine, indicator, scope, chosen))
    results = engine.run_all(tasks)
    active = next(results)
    for indicator, found in zip(indicators, results, strict=True):
        yield sorted([*found, *zero_counts(indicator, found, active)], key=sort_key)
        del found  # not held while the next indicator runs


def reporting_institutions(engine: Engine) -> list[str]:
    """Institutions with encounters settled in the period (views must be prepared)."""
    _, rows = engine.fetch(
        "SELECT DISTINCT institution_id FROM p_encounters WHERE institution_id IS NOT NULL"
    )
    return sorted(str(r[0]) for r in rows)


def zero_counts(
    indicator: Indicator, found: Sequence[IndicatorValue], institutions: Sequence[str]
) -> list[IndicatorValue]:
    """Value-0 institution rows of a count for the institutions with data but no contribution."""
    if indicator.unit is not Unit.COUNT:
        return []
    present = {v.institution_id for v in found if v.level is Level.INSTITUTION}
    zero = Decimal(0)
    return [
        IndicatorValue(indicator.id, Level.INSTITUTION, iid, None, None, zero, None, 0, zero)
        for iid in institutions
        if iid not in present
    ]


# Each level's place in the declared order (`list(Level).index` per value took about a second
# of a city month's 730 000 values).
_LEVEL_RANK = {level: rank for rank, level in enumerate(Level)}


def sort_key(v: IndicatorValue) -> tuple[str, int, str, str, str]:
    return (v.indicator, _LEVEL_RANK[v.level], v.institution_id, v.department or "", v.doctor_id or "")


def ratio(indicator: Indicator, numerator: Decimal, denominator: Decimal | None) -> Decimal | None:
    """numerator ÷ denominator × scale at full precision (a count: the numerator)."""
    if indicator.unit is Unit.COUNT:
        return numerator
    if not denominator:
        return None
    return divide(numerator * indicator.scale, denominator)


def divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    """numerator ÷ denominator to 38 significant digits, half-up to `VALUE_SCALE` decimals."""
    return full_precision(_VALUES.divide(numerator, denominator))


def full_precision(value: Decimal) -> Decimal:
    """The value at the stored scale (18 decimals, half-up): what the store and exports keep."""
    return value.quantize(VALUE_QUANTUM, context=_VALUES)


def _value(indicator: Indicator, row: tuple[Any, ...]) -> IndicatorValue | None:
    level, institution_id, department, doctor_id, numerator, denominator, cases = row
    num = Decimal(numerator or 0)
    den = None if indicator.unit is Unit.COUNT or denominator is None else Decimal(denominator)
    value = ratio(indicator, num, den)
    if value is None or institution_id is None:
        return None
    return IndicatorValue(
        indicator.id, Level(level), str(institution_id), department, doctor_id, num, den, int(cases), value
    )
