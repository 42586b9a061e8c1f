"""A query's period (统计期) as placeholders, and the refusal of a period without data (无数据).

Every rule, view and indicator may use `:period`, `:period_start` and `:period_end`
(exclusive); they come from one `sanjianguan.period.Period`, parsed once by the caller.
A period in which no encounter is settled is refused before anything runs: an analysis
with 0 results would read as "analysed, nothing found".
"""

from __future__ import annotations

from typing import Any, Protocol

from sanjianguan.errors import NoDataError
from sanjianguan.period import Period
from sanjianguan.queries.compile import BoundValue, compile_sql

# The built-in placeholders every query may use without declaring them.
PERIOD_PARAMS = ("period", "period_start", "period_end")


class Fetches(Protocol):
    """What the no-data check needs from an engine: its dialect and a query."""

    @property
    def dialect(self) -> str: ...

    def fetch(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]: ...


def period_values(period: Period) -> dict[str, BoundValue]:
    """`period` ('YYYY-MM' or 'YYYY'), `period_start`, `period_end` (the day after, exclusive)."""
    return {"period": period.label, "period_start": period.start, "period_end": period.end}


def month_range(period: Period) -> dict[str, BoundValue]:
    """`first_period`, `last_period`: the period's first and last settlement months."""
    return {"first_period": period.first_month.label, "last_period": period.last_month.label}


_SETTLED = "SELECT count(*) FROM encounters WHERE period BETWEEN :first_period AND :last_period"


def settled_encounters(engine: Fetches, period: Period) -> int:
    """How many encounters are settled in the period's months (on any engine)."""
    sql = compile_sql(_SETTLED, month_range(period), engine.dialect, where="settled encounters")
    _, rows = engine.fetch(sql)
    return int(rows[0][0]) if rows else 0


def require_encounters(engine: Fetches, period: Period) -> None:
    """NoDataError naming the period when no encounter is settled in it."""
    if settled_encounters(engine, period) == 0:
        raise NoDataError(period.label)
