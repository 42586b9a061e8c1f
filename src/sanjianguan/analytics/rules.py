"""规则 for one user: the rule hits (疑似问题) of the store per rule and month, within the jurisdiction.

Reads the `hits` table that `sjg analyze` fills (one row per hit, with its institution
and settlement month), counting hits and amounts involved of the visible institutions.
The catalogue itself (definition, policy, parameters with the region's `rules.toml`
values) is read once, by `clues.rule_sheet.RuleCatalogue`; precision is `feedback.service.rule_feedback`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from sanjianguan.analytics.store import has_table
from sanjianguan.period import Period

WINDOW = 12


@dataclass(frozen=True)
class MonthHits:
    """One rule's hits of one month."""

    hits: int
    amount: Decimal


def latest_month(con: duckdb.DuckDBPyConnection | None, ids: Iterable[str]) -> str | None:
    """The latest month with hits at these institutions."""
    if con is None or not has_table(con, "hits"):
        return None
    row = con.execute(
        "SELECT max(period) FROM hits WHERE list_contains(?, institution_id)", [sorted(ids)]
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def window(period: str) -> list[str]:
    """The `WINDOW` months ending with `period`, oldest first."""
    last = Period.parse(period)
    return [last.shift(-n).label for n in range(WINDOW - 1, -1, -1)]


def hits_by_month(
    con: duckdb.DuckDBPyConnection, ids: Iterable[str], months: list[str], rule_id: str | None = None
) -> dict[str, dict[str, MonthHits]]:
    """rule id → month → hits and amount involved, for these institutions and months."""
    if not has_table(con, "hits"):
        return {}
    rows = con.execute(
        "SELECT rule_id, period, count(*), coalesce(sum(amount_involved), 0) FROM hits "
        "WHERE list_contains(?, institution_id) AND list_contains(?, period) "
        "AND (CAST(? AS VARCHAR) IS NULL OR rule_id = ?) GROUP BY rule_id, period",
        [sorted(ids), months, rule_id, rule_id],
    ).fetchall()
    found: dict[str, dict[str, MonthHits]] = {}
    for rule, period, n, amount in rows:
        found.setdefault(str(rule), {})[str(period)] = MonthHits(int(n), Decimal(amount))
    return found
