"""Indicator results in the DuckDB store: `indicator_values` (指标结果) and the failing list.

One row per period (`YYYY-MM` or `YYYY`), level, unit and indicator. A run replaces
the rows of the indicators it computed for its period, so a re-run adds no duplicates.
`failing(con, period)` is what the accountability ladder reads (articles 20-23).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pyarrow as pa

from sanjianguan.indicators.compute import VALUE_SCALE, VALUE_SQL_TYPE, full_precision
from sanjianguan.indicators.evaluate import Judged

# Values converted and inserted at a time.
INSERT_CHUNK = 20_000

INDICATOR_VALUES_DDL = """CREATE TABLE IF NOT EXISTS indicator_values (
  period VARCHAR,              -- YYYY-MM (month) or YYYY (year: the year's num / den)
  period_kind VARCHAR,         -- month | year
  level VARCHAR,               -- institution | department | doctor
  institution_id VARCHAR,
  department VARCHAR,
  doctor_id VARCHAR,
  indicator VARCHAR,           -- stable id (docs/indicators.md)
  indicator_name VARCHAR,
  indicator_group VARCHAR,     -- 2A | 2B | 2C | 3 | OE
  numerator DECIMAL(18,4),
  denominator DECIMAL(18,4),   -- NULL for counts
  cases BIGINT,
  value DECIMAL(38,18),         -- full precision (compute.VALUE_SCALE); only display rounds
  target DECIMAL(38,18),
  target_source VARCHAR,
  failing BOOLEAN,
  failing_reason VARCHAR,      -- target | peer_outlier | NULL
  peer_median DECIMAL(38,18),  -- peer band of a peer outlier (evidence)
  peer_lower DECIMAL(38,18),
  peer_upper DECIMAL(38,18),
  engine VARCHAR,
  computed_at TIMESTAMP,
  kb_version INTEGER
)"""

COLUMNS = (
    "period",
    "period_kind",
    "level",
    "institution_id",
    "department",
    "doctor_id",
    "indicator",
    "indicator_name",
    "indicator_group",
    "numerator",
    "denominator",
    "cases",
    "value",
    "target",
    "target_source",
    "failing",
    "failing_reason",
    "peer_median",
    "peer_lower",
    "peer_upper",
    "engine",
    "computed_at",
    "kb_version",
)

_TYPES = {
    "numerator": pa.decimal128(18, 4),
    "denominator": pa.decimal128(18, 4),
    "cases": pa.int64(),
    "value": pa.decimal128(38, VALUE_SCALE),
    "target": pa.decimal128(38, VALUE_SCALE),
    "failing": pa.bool_(),
    "peer_median": pa.decimal128(38, VALUE_SCALE),
    "peer_lower": pa.decimal128(38, VALUE_SCALE),
    "peer_upper": pa.decimal128(38, VALUE_SCALE),
    "computed_at": pa.timestamp("us"),
    "kb_version": pa.int32(),
}
_SCHEMA = pa.schema([(c, _TYPES.get(c, pa.string())) for c in COLUMNS])
_Q4 = Decimal("0.0001")
# Columns that were DECIMAL(18,6) in stores created before full precision.
_FULL_PRECISION_COLUMNS = ("value", "target", "peer_median", "peer_lower", "peer_upper")


@dataclass(frozen=True)
class RunInfo:
    """What every stored row of one run shares."""

    period: str
    period_kind: str
    engine: str
    computed_at: dt.datetime
    kb_version: int | None


@dataclass(frozen=True)
class FailingIndicator:
    """A failing (不达标) institution-level indicator, for the accountability ladder.

    `group` is 2A | 2B | 2C | 3 | OE; `reason` is `target` (missed its 标值) or
    `peer_outlier` (no 标值: robust outlier among same-level, same-category peers).
    """

    period: str
    institution_id: str
    indicator: str
    indicator_name: str
    group: str
    value: Decimal
    target: Decimal | None
    reason: str


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create `indicator_values`, or widen an older store's DECIMAL(18,6) value columns."""
    con.execute(INDICATOR_VALUES_DDL)
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'indicator_values' "
        "AND table_schema = 'main' AND list_contains(?, column_name) AND data_type <> ?",
        [list(_FULL_PRECISION_COLUMNS), VALUE_SQL_TYPE],
    ).fetchall()
    for (column,) in rows:
        con.execute(f"ALTER TABLE indicator_values ALTER COLUMN {column} TYPE {VALUE_SQL_TYPE}")


def replace_values_from(
    con: duckdb.DuckDBPyConnection, period: str, indicators: dict[str, str], staging: str
) -> None:
    """Replace the period's rows of the computed indicators by the rows staged in `staging`."""
    _delete_period(con, period, indicators)
    columns = ", ".join(COLUMNS)
    con.execute(f"INSERT INTO indicator_values ({columns}) SELECT {columns} FROM {staging}")


def create_values_staging(con: duckdb.DuckDBPyConnection, staging: str) -> None:
    """A temporary table shaped like `indicator_values`, for a run's rows until stored."""
    ensure_tables(con)
    con.execute(f"CREATE TEMP TABLE {staging} AS SELECT * FROM indicator_values LIMIT 0")


def drop_values_staging(con: duckdb.DuckDBPyConnection, staging: str) -> None:
    """Drop a run's staging table (after storing, or when the run failed)."""
    con.execute(f"DROP TABLE IF EXISTS {staging}")


def _delete_period(con: duckdb.DuckDBPyConnection, period: str, indicators: dict[str, str]) -> None:
    con.execute(
        "DELETE FROM indicator_values WHERE period = ? AND list_contains(?, indicator)",
        [period, sorted(indicators)],
    )


def insert_values(
    con: duckdb.DuckDBPyConnection, table: str, run: RunInfo, names: dict[str, str], judged: list[Judged]
) -> None:
    """Insert verdicts into `table` (`indicator_values` or a staging table)."""
    columns = ", ".join(COLUMNS)
    # In chunks: a city month's 730 000 values converted at once took about as much memory
    # again as the values themselves, at the run's peak.
    for start in range(0, len(judged), INSERT_CHUNK):
        chunk = _columns(run, names, judged[start : start + INSERT_CHUNK])
        con.register("new_indicator_values", pa.table(chunk, schema=_SCHEMA))
        try:
            con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM new_indicator_values")
        finally:
            con.unregister("new_indicator_values")


def _columns(run: RunInfo, names: dict[str, str], judged: list[Judged]) -> dict[str, list[object]]:
    """The rows' columns, one list each: about a third less time than a dict per row (a city
    month's 726 683 values: 9.5–10.2 s → 6.0–6.1 s, docs/benchmarks.md)."""
    values = [j.value for j in judged]
    targets = [j.target for j in judged]
    bands = [j.band for j in judged]
    n = len(judged)
    return {
        "period": [run.period] * n,
        "period_kind": [run.period_kind] * n,
        "level": [v.level.value for v in values],
        "institution_id": [v.institution_id for v in values],
        "department": [v.department for v in values],
        "doctor_id": [v.doctor_id for v in values],
        "indicator": [v.indicator for v in values],
        "indicator_name": [names[v.indicator] for v in values],
        "indicator_group": [j.group.value for j in judged],
        "numerator": [_q4(v.numerator) for v in values],
        "denominator": [None if v.denominator is None else _q4(v.denominator) for v in values],
        "cases": [v.cases for v in values],
        "value": [v.value for v in values],
        "target": [t.value if t else None for t in targets],
        "target_source": [t.source if t else None for t in targets],
        "failing": [j.failing for j in judged],
        "failing_reason": [j.reason.value if j.reason else None for j in judged],
        "peer_median": [_q(b.median) if b else None for b in bands],
        "peer_lower": [_q(b.lower) if b else None for b in bands],
        "peer_upper": [_q(b.upper) if b else None for b in bands],
        "engine": [run.engine] * n,
        "computed_at": [run.computed_at] * n,
        "kb_version": [run.kb_version] * n,
    }


def _q(value: Decimal) -> Decimal:
    return full_precision(value)


def _q4(value: Decimal) -> Decimal:
    """Numerator and denominator are stored to 4 decimals (the value is computed before)."""
    return value.quantize(_Q4, rounding=ROUND_HALF_UP)


def has_values_table(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name = 'indicator_values' AND table_schema = 'main'"
    ).fetchone()
    return bool(row and row[0])


def failing(
    con: duckdb.DuckDBPyConnection, period: str, *, groups: tuple[str, ...] | None = None
) -> list[FailingIndicator]:
    """The stored institution-level failing indicators of a period, for the accountability ladder.

    `period` is a month `YYYY-MM` or a year `YYYY` (stored by `sjg indicators --year`);
    `groups` keeps only these groups (e.g. `("2A",)`). For articles 20 and 21 ("任意3/5项
    指标年平均值不达标") read the year: its value is the year's numerator over the year's
    denominator. Nothing stored yet → an empty list. Ordered by institution, group, id.
    """
    if not has_values_table(con):
        return []
    sql = (
        "SELECT period, institution_id, indicator, indicator_name, indicator_group, value, target, "
        "failing_reason FROM indicator_values WHERE period = ? AND level = 'institution' AND failing"
    )
    params: list[object] = [period]
    if groups:
        sql += " AND list_contains(?, indicator_group)"
        params.append(list(groups))
    rows = con.execute(sql + " ORDER BY institution_id, indicator_group, indicator", params).fetchall()
    return [FailingIndicator(*row) for row in rows]
