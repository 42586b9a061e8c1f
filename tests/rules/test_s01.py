"""S01 药品异常: drug cost > 2 × the DRG group's average (O/E) and ≥ 1 000 yuan."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits
from tests.rules.drg_bench import PERIOD, WINDOW, drg, stay


def _drug(
    build: StoreBuilder, encounter_id: str, period: str, amount: str, kind: str = "drug_western"
) -> None:
    build.fee(encounter_id, f"X-{kind}", f"{period}-01 10:00:00", 1, amount, item_type=kind)


def _group(build: StoreBuilder, code: str, costs: list[str]) -> None:
    """One benchmark stay per drug cost ("0": no drug line), round-robin over the window's 12 months."""
    drg(build, code)
    for i, cost in enumerate(costs):
        period = WINDOW[i % len(WINDOW)]
        stay(build, f"{code}-{i:02d}", code, period)
        if cost != "0":
            _drug(build, f"{code}-{i:02d}", period, cost)


def test_oe_against_the_group_average(build: StoreBuilder, run_hits: RunHits) -> None:
    # 15 stays without drugs and 15 with 1 100: average = 16 500 / 30 = 550 (zero-cost stays
    # count; without them the average would be 1 100 and nothing below would fire).
    _group(build, "AA11", ["0", "1100"] * 15)
    for name, period in (("OLD", "2024-02"), ("NEXT", "2025-04")):  # outside the window
        stay(build, name, "AA11", period)
        _drug(build, name, period, "100000")
    stay(build, "AT", "AA11", PERIOD)
    _drug(build, "AT", PERIOD, "1100")  # O/E = 1100 / 550 = 2 exactly: no clue
    stay(build, "HIT", "AA11", PERIOD)
    _drug(build, "HIT", PERIOD, "400")
    _drug(build, "HIT", PERIOD, "400", "drug_chinese_patent")
    _drug(build, "HIT", PERIOD, "300.01", "herbal_pieces")  # 1 100.01: O/E = 2.0000181…
    build.fee("HIT", "MAT", f"{PERIOD}-01 11:00:00", 1, 5000, item_type="material")  # not a drug
    stay(build, "REFUND", "AA11", PERIOD)
    _drug(build, "REFUND", PERIOD, "1200")
    build.fee("REFUND", "X-drug_western", f"{PERIOD}-02 10:00:00", -1, 100, item_type="drug_western")  # 1 100

    [hit] = run_hits("S01")

    assert (hit.hit_key, hit.doctor_id, hit.department, str(hit.event_date)) == (
        "HIT",
        "D1",
        "内科",
        "2025-03-06",
    )
    assert hit.amount_involved == Decimal("0.00")
    assert json.loads(hit.evidence) == {
        "benchmark_from": "2024-03",
        "benchmark_stays": "30",  # OLD, NEXT and the period's own stays are not in the window
        "benchmark_to": "2025-02",
        "drg_code": "AA11",
        "drug_cost": "1100.01",
        "group_average": "550",
        "min_cost": "1000",
        "oe": "2",  # 1100.01 × 30 / 16500 = 2.0000181… → 2.0000; the test itself is exact
        "oe_limit": "2",
    }


def test_minimum_cost_and_rounded_average(build: StoreBuilder, run_hits: RunHits) -> None:
    # 29 stays without drugs and one with 400: average = 400 / 30 = 13.3333…
    _group(build, "BB22", ["0"] * 29 + ["400"])
    stay(build, "UNDER", "BB22", PERIOD)
    _drug(build, "UNDER", PERIOD, "999.99")  # O/E 75 but under 1 000 yuan
    stay(build, "MIN", "BB22", PERIOD)
    _drug(build, "MIN", PERIOD, "1000")  # exactly 1 000: fires

    [hit] = run_hits("S01")

    evidence = json.loads(hit.evidence)
    assert (hit.hit_key, evidence["group_average"], evidence["oe"]) == (
        "MIN",
        "13.3333",
        "75",
    )  # 1000 × 30 / 400


def test_no_clue_without_a_usable_average(build: StoreBuilder, run_hits: RunHits) -> None:
    _group(build, "CC33", ["1000"] * 29)  # 29 < 30 benchmark stays: no O/E clue, even from ref_drg
    _group(build, "DD44", ["0"] * 30)  # average 0: no O/E
    for name, code in (("C", "CC33"), ("D", "DD44"), ("NONE", None), ("UNKNOWN", "ZZ99")):
        stay(build, name, code, PERIOD)
        _drug(build, name, PERIOD, "50000")

    assert run_hits("S01") == []
