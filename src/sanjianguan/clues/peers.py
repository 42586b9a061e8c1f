"""对照数据 of a clue: the peers of a failing indicator and the DRG reference of S01-S04.

- An indicator clue (二级指标不达标) compares the institution's value of the month with
  its peers': the institution-level values of the same indicator and month at
  institutions of the same level and category (the peer group of the outlier rule,
  `indicators.outliers`), read from `indicator_values`. Peers are given as values only,
  never by institution.
- A DRG clue (S01-S04, DRG 标杆) shows the figures the hit used (its evidence) beside
  the group's row of the knowledge base (`ref_drg`: weight, average stay and cost, limits).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import duckdb

from sanjianguan.indicators.outliers import median
from sanjianguan.workflow_db.models import Clue

DRG_RULES = frozenset({"S01", "S02", "S03", "S04"})

OWN_SQL = """
SELECT v.value, v.target, v.failing_reason, v.peer_median, v.peer_lower, v.peer_upper, v.cases,
  i.level, i.category
FROM indicator_values AS v LEFT JOIN institutions AS i ON i.institution_id = v.institution_id
WHERE v.period = ? AND v.indicator = ? AND v.level = 'institution' AND v.institution_id = ?
LIMIT 1
"""
PEERS_SQL = """
SELECT v.value
FROM indicator_values AS v JOIN institutions AS i ON i.institution_id = v.institution_id
WHERE v.period = ? AND v.indicator = ? AND v.level = 'institution' AND v.value IS NOT NULL
  AND i.level IS NOT DISTINCT FROM ? AND i.category IS NOT DISTINCT FROM ?
ORDER BY v.value
"""
DRG_SQL = """
SELECT drg_code, name, weight, avg_los, avg_cost, los_lower, los_upper, cost_lower, cost_upper
FROM ref_drg WHERE drg_code = ?
"""


@dataclass(frozen=True)
class PeerDistribution:
    """The institution's value among its peers' (the institution included)."""

    value: Decimal
    target: Decimal | None
    reason: str | None  # target | peer_outlier
    band: tuple[Decimal, Decimal, Decimal] | None  # peer (lower, median, upper) of an outlier
    cases: int | None
    level: int | None
    category: str | None
    peers: list[Decimal]

    @property
    def summary(self) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
        """Minimum, lower quartile, median, upper quartile, maximum of the peers' values."""
        values = sorted(self.peers)
        half = len(values) // 2
        lower, upper = values[:half], values[half + len(values) % 2 :]
        return (
            values[0],
            median(lower or values),
            median(values),
            median(upper or values),
            values[-1],
        )

    @property
    def rank(self) -> int:
        """1 + the number of peers whose value is below the institution's."""
        return 1 + sum(v < self.value for v in self.peers)


def peer_distribution(con: duckdb.DuckDBPyConnection, clue: Clue) -> PeerDistribution | None:
    """The peers of an indicator clue's institution for its month (None: no stored values)."""
    try:
        own = con.execute(OWN_SQL, [clue.period, clue.rule_id, clue.institution_id]).fetchone()
    except duckdb.CatalogException:  # no indicator run stored yet
        return None
    if own is None or own[0] is None:
        return None
    value, target, reason, mid, low, high, cases, level, category = own
    peers = [
        row[0] for row in con.execute(PEERS_SQL, [clue.period, clue.rule_id, level, category]).fetchall()
    ]
    return PeerDistribution(
        value=value,
        target=target,
        reason=reason,
        band=(low, mid, high) if mid is not None else None,
        cases=cases,
        level=level,
        category=category,
        peers=peers or [value],
    )


@dataclass(frozen=True)
class DrgReference:
    """A DRG group's row of the knowledge base (`ref_drg`)."""

    drg_code: str
    name: str | None
    weight: Decimal | None
    avg_los: Decimal | None
    avg_cost: Decimal | None
    los_lower: Decimal | None
    los_upper: Decimal | None
    cost_lower: Decimal | None
    cost_upper: Decimal | None


def drg_reference(con: duckdb.DuckDBPyConnection, clue: Clue) -> DrgReference | None:
    """The `ref_drg` row of the DRG group an S01-S04 hit names (None: another rule, or unknown)."""
    code = (clue.evidence or {}).get("drg_code")
    if clue.rule_id not in DRG_RULES or not isinstance(code, str):
        return None
    row = con.execute(DRG_SQL, [code]).fetchone()
    return DrgReference(*row) if row else None
