"""S02 耗材异常: material cost > 2 × the DRG group's average (O/E) and ≥ 1 000 yuan."""

from __future__ import annotations

import json

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits
from tests.rules.drg_bench import PERIOD, WINDOW, drg, stay


def _material(build: StoreBuilder, encounter_id: str, period: str, amount: str) -> None:
    build.fee(encounter_id, "MAT", f"{period}-01 10:00:00", 1, amount, item_type="material")


def test_oe_against_the_group_average(build: StoreBuilder, run_hits: RunHits) -> None:
    drg(build, "AA11")
    # 20 stays without materials and 10 with 1 500: average = 15 000 / 30 = 500.
    for i in range(30):
        period = WINDOW[i % len(WINDOW)]
        stay(build, f"B{i:02d}", "AA11", period)
        if i % 3 == 0:
            _material(build, f"B{i:02d}", period, "1500")
    stay(build, "OLD", "AA11", "2024-02")  # the month before the window
    _material(build, "OLD", "2024-02", "90000")
    stay(build, "AT", "AA11", PERIOD)
    _material(build, "AT", PERIOD, "1000")  # O/E = 1000 / 500 = 2 exactly: no clue
    stay(build, "HIT", "AA11", PERIOD)
    _material(build, "HIT", PERIOD, "1000.01")  # O/E = 1000.01 × 30 / 15000 = 2.00002
    stay(build, "DRUGS", "AA11", PERIOD)
    build.fee("DRUGS", "X", f"{PERIOD}-01 10:00:00", 1, 5000, item_type="drug_western")  # not a material
    drg(build, "SMALL")  # 29 stays, one with 2 900 material: average 100 but too few stays
    for i in range(29):
        stay(build, f"S{i:02d}", "SMALL", WINDOW[i % len(WINDOW)])
    _material(build, "S00", WINDOW[0], "2900")
    stay(build, "S-DEAR", "SMALL", PERIOD)
    _material(build, "S-DEAR", PERIOD, "50000")

    [hit] = run_hits("S02")

    assert (hit.hit_key, str(hit.event_date)) == ("HIT", "2025-03-06")
    assert json.loads(hit.evidence) == {
        "benchmark_from": "2024-03",
        "benchmark_stays": "30",
        "benchmark_to": "2025-02",
        "drg_code": "AA11",
        "group_average": "500",
        "material_cost": "1000.01",
        "min_cost": "1000",
        "oe": "2",  # 2.00002 → 2.0000
        "oe_limit": "2",
    }


def test_minimum_cost(build: StoreBuilder, run_hits: RunHits) -> None:
    drg(build, "BB22")
    # 29 stays without materials and one with 3 000: average = 3 000 / 30 = 100.
    for i in range(30):
        stay(build, f"B{i:02d}", "BB22", WINDOW[i % len(WINDOW)])
    _material(build, "B29", WINDOW[29 % 12], "3000")
    stay(build, "UNDER", "BB22", PERIOD)
    _material(build, "UNDER", PERIOD, "999.99")  # O/E ≈ 10 but under 1 000 yuan
    stay(build, "OVER", "BB22", PERIOD)
    _material(build, "OVER", PERIOD, "1234.56")  # O/E = 1234.56 / 100 = 12.3456

    [hit] = run_hits("S02")

    evidence = json.loads(hit.evidence)
    assert (hit.hit_key, evidence["group_average"], evidence["oe"]) == ("OVER", "100", "12.3456")
