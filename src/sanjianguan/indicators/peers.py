"""同级对比 (an institution against its peers): its stored indicator values of a month beside
the peers' median and its place among them.

Read from `indicator_values` (what `sjg indicators` stored, the table the accountability
ladder reads), institution level only. Peers are the institutions of the same level and
category in the store's registry (the peer group of `indicators.outliers`), the
institution included; the median is `outliers.median`, and the percentile is the share of
peers whose value is at most the institution's (100: the highest value). Failing rows keep
the stored verdict (`failing`, `failing_reason`). Nothing stored: no rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import duckdb

from sanjianguan.indicators.outliers import median
from sanjianguan.indicators.results_table import has_values_table

REASON_ZH = {"target": "未达标值", "peer_outlier": "同级离群"}


@dataclass(frozen=True)
class PeerRow:
    """One indicator of the institution beside its peers."""

    indicator: str
    name: str
    group: str
    value: Decimal | None
    target: Decimal | None
    failing: bool
    reason: str | None
    peers: int
    peer_median: Decimal | None
    percentile: int | None  # share of peers at or below the value, in per cent

    @property
    def reason_zh(self) -> str:
        return REASON_ZH.get(self.reason or "", self.reason or "")


def latest_period(con: duckdb.DuckDBPyConnection, institution_id: str) -> str | None:
    """The latest month with institution-level values of `institution_id` (None: none stored)."""
    if not has_values_table(con):
        return None
    row = con.execute(
        "SELECT max(period) FROM indicator_values "
        "WHERE period_kind = 'month' AND level = 'institution' AND institution_id = ?",
        [institution_id],
    ).fetchone()
    return str(row[0]) if row and row[0] is not None else None


def peer_comparison(con: duckdb.DuckDBPyConnection, institution_id: str, period: str) -> list[PeerRow]:
    """The institution's values of `period` with its peers' median and its percentile."""
    if not has_values_table(con):
        return []
    rows = con.execute(
        """
        WITH me AS (SELECT level, category FROM institutions WHERE institution_id = ?),
        peers AS (
          SELECT i.institution_id FROM institutions i, me
          WHERE i.level IS NOT DISTINCT FROM me.level AND i.category IS NOT DISTINCT FROM me.category
          UNION SELECT ?
        )
        SELECT v.institution_id, v.indicator, v.indicator_name, v.indicator_group, v.value, v.target,
               v.failing, v.failing_reason
        FROM indicator_values v JOIN peers USING (institution_id)
        WHERE v.period = ? AND v.level = 'institution'
        ORDER BY v.indicator_group, v.indicator
        """,
        [institution_id, institution_id, period],
    ).fetchall()
    values: dict[str, list[Decimal]] = {}
    own: dict[str, tuple[object, ...]] = {}
    for inst, indicator, name, group, value, *verdict in rows:
        if value is not None:
            values.setdefault(indicator, []).append(value)
        if inst == institution_id:
            own[indicator] = (indicator, name, group, value, *verdict)
    return [_row(own[i], values.get(i, [])) for i in own]


def _row(own: tuple[object, ...], peers: list[Decimal]) -> PeerRow:
    indicator, name, group, value, target, failing, reason = own
    mine = value if isinstance(value, Decimal) else None
    percentile = None
    if mine is not None and peers:
        percentile = round(100 * sum(1 for v in peers if v <= mine) / len(peers))
    return PeerRow(
        indicator=str(indicator),
        name=str(name or indicator),
        group=str(group or ""),
        value=mine,
        target=target if isinstance(target, Decimal) else None,
        failing=bool(failing),
        reason=str(reason) if reason else None,
        peers=len(peers),
        peer_median=median(peers) if peers else None,
        percentile=percentile,
    )
