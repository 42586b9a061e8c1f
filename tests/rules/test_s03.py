"""S03 住院天数异常: LOS over the DRG group's upper limit P75 + 1.5 × IQR of the 12 months before."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits
from tests.rules.drg_bench import PERIOD, drg, spread, stay


def test_limits_from_the_benchmark_window(build: StoreBuilder, run_hits: RunHits) -> None:
    drg(build, "AA11", los_lower=2, los_upper=10)  # ignored: the group has 30 benchmark stays
    los = list(range(1, 31))
    spread(build, "B", "AA11", los, "los")  # 2024-03 … 2025-02, first and last month included
    # Sorted LOS 1…30 (x[i] = i + 1), linear interpolation h = (30 − 1) × p:
    #   P25: h = 7.25  → 8 + 0.25 × (9 − 8)   = 8.25
    #   P50: h = 14.5  → 15 + 0.5 × (16 − 15) = 15.5
    #   P75: h = 21.75 → 22 + 0.75 × (23 − 22) = 22.75
    #   upper = 22.75 + 1.5 × (22.75 − 8.25) = 44.5; lower = 8.25 − 21.75 < 0 → 0
    assert duckdb.sql(f"SELECT quantile_cont(x, [0.25, 0.5, 0.75]) FROM unnest({los}) t(x)").fetchone() == (
        [8.25, 15.5, 22.75],
    )
    stay(build, "OLD", "AA11", "2024-02", los=300)  # the month before the window
    stay(build, "NEXT", "AA11", "2025-04", los=300)  # after the period
    stay(build, "HIT", "AA11", PERIOD, los=45)
    stay(build, "MISS", "AA11", PERIOD, los=44)

    [hit] = run_hits("S03")

    assert (hit.hit_key, hit.encounter_id, hit.related_encounter_id) == ("HIT", "HIT", None)
    assert (hit.doctor_id, hit.department, str(hit.event_date)) == ("D1", "内科", "2025-04-15")
    assert hit.amount_involved == Decimal("0.00")
    assert json.loads(hit.evidence) == {
        "admit_day": "2025-03-01",
        "benchmark_from": "2024-03",
        "benchmark_stays": "30",  # OLD, NEXT and the period's own stays are not in the window
        "benchmark_to": "2025-02",
        "discharge_day": "2025-04-15",
        "drg_code": "AA11",
        "limit_source": "benchmark",
        "los": "45",
        "los_lower": "0",
        "los_median": "15.5",
        "los_upper": "44.5",
        "ratio": "1.0112",  # 45 / 44.5 = 1.01123…
        "ratio_limit": "1",
    }


def test_exactly_at_the_limit_and_stays_without_discharge(build: StoreBuilder, run_hits: RunHits) -> None:
    drg(build, "BB22")
    spread(build, "B", "BB22", [4] * 10 + [6] * 10 + [8] * 10, "los")
    stay(build, "NODIS", "BB22", "2024-06", los=None)  # counts in the group, has no LOS to rank
    # 30 LOS values: P25 (h = 7.25) = 4, P50 (h = 14.5) = 6, P75 (h = 21.75) = 8;
    # upper = 8 + 1.5 × (8 − 4) = 14; lower = max(0, 4 − 6) = 0.
    stay(build, "AT", "BB22", PERIOD, los=14)  # ratio exactly 1: no clue
    stay(build, "OVER", "BB22", PERIOD, los=15)
    stay(build, "OPEN", "BB22", PERIOD, los=None)  # no LOS: R05's case, not S03's

    [hit] = run_hits("S03")

    assert hit.hit_key == "OVER"
    evidence = json.loads(hit.evidence)
    assert [evidence[k] for k in ("los_lower", "los_median", "los_upper", "ratio", "benchmark_stays")] == [
        "0",
        "6",
        "14",
        "1.0714",  # 15 / 14 = 1.071428…
        "31",
    ]


def test_small_groups_use_ref_drg_and_ungrouped_stays_are_skipped(
    build: StoreBuilder, run_hits: RunHits
) -> None:
    drg(build, "CC33", los_lower=2, los_upper=12)
    spread(build, "C", "CC33", [1] * 29, "los")  # 29 < 30 stays: the ref_drg limits apply
    stay(build, "CC-OLD", "CC33", "2024-02", los=1)  # outside the window: still 29
    drg(build, "DD44")  # no los_upper and no benchmark stays: no limit, no clue
    stay(build, "C-HIT", "CC33", PERIOD, los=13)
    stay(build, "C-AT", "CC33", PERIOD, los=12)  # at ref_drg's limit (a benchmark limit would be 1)
    stay(build, "D-LONG", "DD44", PERIOD, los=100)
    stay(build, "NO-DRG", None, PERIOD, los=100)
    stay(build, "UNKNOWN-DRG", "ZZ99", PERIOD, los=100)  # not in ref_drg: not grouped

    [hit] = run_hits("S03")

    assert hit.hit_key == "C-HIT"
    evidence = json.loads(hit.evidence)
    assert {k: evidence[k] for k in ("limit_source", "los_lower", "los_median", "los_upper", "ratio")} == {
        "limit_source": "ref_drg",
        "los_lower": "2",
        "los_median": None,
        "los_upper": "12",
        "ratio": "1.0833",  # 13 / 12 = 1.08333…
    }
    assert evidence["benchmark_stays"] == "29"


def test_window_and_thresholds_are_parameters(build: StoreBuilder, run_hits: RunHits, home: Path) -> None:
    (home / "rules.toml").write_text("[S03.params]\nbenchmark_months = 1\nmin_stays = 3\n", encoding="utf-8")
    drg(build, "EE55")
    for i in range(3):
        stay(build, f"FEB{i}", "EE55", "2025-02", los=2)
        # In the default 12-month window these would raise the upper limit to
        # 50 + 1.5 × (50 − 2) = 122 (P25 of 2,2,2,50,50,50 is 2, P75 is 50).
        stay(build, f"JAN{i}", "EE55", "2025-01", los=50)
    stay(build, "LONGER", "EE55", PERIOD, los=3)

    [hit] = run_hits("S03")

    evidence = json.loads(hit.evidence)
    assert (hit.hit_key, evidence["benchmark_from"], evidence["benchmark_to"]) == (
        "LONGER",
        "2025-02",
        "2025-02",
    )
    assert (evidence["los_upper"], evidence["benchmark_stays"], evidence["ratio"]) == ("2", "3", "1.5")
