"""S04 住院费用异常: total cost over the DRG group's upper limit P75 + 1.5 × IQR of the 12 months before."""

from __future__ import annotations

import json
from decimal import Decimal

import duckdb

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits
from tests.rules.drg_bench import PERIOD, drg, spread, stay


def test_limits_from_the_benchmark_window(build: StoreBuilder, run_hits: RunHits) -> None:
    drg(build, "AA11", cost_lower=100, cost_upper=2000)  # ignored: the group has 30 benchmark stays
    totals = [1000 + 100 * i for i in range(30)]  # 1000, 1100, …, 3900
    spread(build, "B", "AA11", totals, "total")
    # x[i] = 1000 + 100 i, h = (30 − 1) × p:
    #   P25: h = 7.25  → 1700 + 0.25 × 100 = 1725
    #   P50: h = 14.5  → 2400 + 0.5 × 100  = 2450
    #   P75: h = 21.75 → 3100 + 0.75 × 100 = 3175
    #   upper = 3175 + 1.5 × (3175 − 1725) = 5350; lower = 1725 − 2175 < 0 → 0
    assert duckdb.sql(
        f"SELECT quantile_cont(x, [0.25, 0.5, 0.75]) FROM unnest({totals}) t(x)"
    ).fetchone() == ([1725.0, 2450.0, 3175.0],)
    stay(build, "OLD", "AA11", "2024-02", total=90000)  # the month before the window
    stay(build, "NEXT", "AA11", "2025-04", total=90000)  # after the period
    stay(build, "HIT", "AA11", PERIOD, los=6, total="6420")
    stay(build, "MISS", "AA11", PERIOD, total="5349.99")

    [hit] = run_hits("S04")

    assert (hit.hit_key, hit.doctor_id, hit.department, str(hit.event_date)) == (
        "HIT",
        "D1",
        "内科",
        "2025-03-07",
    )
    assert hit.amount_involved == Decimal("0.00")
    assert json.loads(hit.evidence) == {
        "benchmark_from": "2024-03",
        "benchmark_stays": "30",
        "benchmark_to": "2025-02",
        "cost_lower": "0",
        "cost_median": "2450",
        "cost_upper": "5350",
        "drg_code": "AA11",
        "limit_source": "benchmark",
        "ratio": "1.2",  # 6420 / 5350
        "ratio_limit": "1",
        "total_amount": "6420",
    }


def test_exactly_at_the_limit_in_fen(build: StoreBuilder, run_hits: RunHits) -> None:
    drg(build, "BB22")
    spread(build, "B", "BB22", ["2000.10"] * 10 + ["2100.20"] * 10 + ["2200.30"] * 10, "total")
    # P25 (h = 7.25) = 2000.10, P50 (h = 14.5) = 2100.20, P75 (h = 21.75) = 2200.30, IQR = 200.20:
    # upper = 2200.30 + 300.30 = 2500.60; lower = 2000.10 − 300.30 = 1699.80.
    stay(build, "AT", "BB22", PERIOD, total="2500.60")  # ratio exactly 1: no clue
    stay(build, "FEN", "BB22", PERIOD, total="2500.61")  # one fen over: fires though the ratio shows 1

    [hit] = run_hits("S04")

    assert hit.hit_key == "FEN"
    evidence = json.loads(hit.evidence)
    assert [evidence[k] for k in ("cost_lower", "cost_median", "cost_upper", "ratio")] == [
        "1699.8",
        "2100.2",
        "2500.6",
        "1",  # 2500.61 / 2500.60 = 1.000004 → 1.0000
    ]


def test_small_groups_use_ref_drg_cost_upper(build: StoreBuilder, run_hits: RunHits) -> None:
    drg(build, "CC33", cost_lower=800, cost_upper=9000)
    spread(build, "C", "CC33", [100] * 29, "total")  # 29 < 30: ref_drg's limits apply
    drg(build, "DD44", cost_lower=800)  # no cost_upper and no benchmark: no clue
    stay(build, "C-HIT", "CC33", PERIOD, total=9900)
    stay(build, "C-OPEN", "CC33", PERIOD, los=None, total=9900)  # no discharge: the cost is still known
    stay(build, "C-AT", "CC33", PERIOD, total=9000)
    stay(build, "D-DEAR", "DD44", PERIOD, total=99000)
    stay(build, "NO-DRG", None, PERIOD, total=99000)
    stay(build, "UNKNOWN-DRG", "ZZ99", PERIOD, total=99000)

    hits = {h.hit_key: h for h in run_hits("S04")}

    assert set(hits) == {"C-HIT", "C-OPEN"}
    assert str(hits["C-OPEN"].event_date) == "2025-03-01"  # the admission day when not discharged
    evidence = json.loads(hits["C-HIT"].evidence)
    assert {k: evidence[k] for k in ("limit_source", "cost_lower", "cost_median", "cost_upper", "ratio")} == {
        "limit_source": "ref_drg",
        "cost_lower": "800",
        "cost_median": None,
        "cost_upper": "9000",
        "ratio": "1.1",  # 9900 / 9000
    }
    assert evidence["benchmark_stays"] == "29"
