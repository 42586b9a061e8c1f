"""同级对比: an institution's stored values beside the median and percentile of its peers."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from sanjianguan.indicators.peers import latest_period, peer_comparison
from sanjianguan.indicators.results_table import ensure_tables


def _value(con: duckdb.DuckDBPyConnection, inst: str, value: str, *, period: str = "2025-03") -> None:
    failing = inst == "A" and period == "2025-03"
    con.execute(
        "INSERT INTO indicator_values (period, period_kind, level, institution_id, indicator, "
        "indicator_name, indicator_group, value, failing, failing_reason) "
        "VALUES (?, 'month', 'institution', ?, 'I1', '指标一', '2A', ?, ?, ?)",
        [period, inst, Decimal(value), failing, "target" if failing else None],
    )


def test_median_and_percentile_among_same_level_and_category(con: duckdb.DuckDBPyConnection) -> None:
    ensure_tables(con)
    con.executemany(
        "INSERT INTO institutions (institution_id, level, category) VALUES (?, ?, ?)",
        [("A", 3, "综合医院"), ("B", 3, "综合医院"), ("C", 3, "综合医院"), ("D", 2, "综合医院")],
    )
    for inst, value in (("A", "0.30"), ("B", "0.10"), ("C", "0.20"), ("D", "0.90")):
        _value(con, inst, value)
    _value(con, "A", "0.50", period="2025-02")
    assert latest_period(con, "A") == "2025-03"
    [row] = peer_comparison(con, "A", "2025-03")
    assert row.peers == 3  # D is of another level: not a peer
    assert row.peer_median == Decimal("0.2")
    assert row.percentile == 100
    assert row.failing
    assert row.reason_zh == "未达标值"
    [low] = peer_comparison(con, "B", "2025-03")
    assert low.percentile == 33
    assert not low.failing


def test_nothing_stored(con: duckdb.DuckDBPyConnection) -> None:
    assert latest_period(con, "A") is None
    assert peer_comparison(con, "A", "2025-03") == []
