"""M02 超上限比: per-encounter quantity of a high-value material > max_per_encounter or the P95."""

from __future__ import annotations

import json
from decimal import Decimal

import duckdb

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _use(build: StoreBuilder, encounter_id: str, item: str, qty: str, period: str = "2025-03") -> str:
    build.encounter(encounter_id, period=period)
    return build.fee(encounter_id, item, "2025-03-02 10:00:00", qty, 100, item_type="material")


def test_percentile_by_linear_interpolation(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("HV", kind="material", high_value=True)
    quantities = ["1", "1", "1", "1", "1", "1", "1", "1", "2", "3", "10"]
    lines = [_use(build, f"E{i:02d}", "HV", q) for i, q in enumerate(quantities)]
    # h = (11 − 1) × 0.95 = 9.5 → 3 + (10 − 3) × 0.5 = 6.5, as quantile_cont computes it.
    assert duckdb.sql(
        f"SELECT quantile_cont(x, 0.95) FROM unnest({[float(q) for q in quantities]}) t(x)"
    ).fetchone() == (6.5,)
    _use(build, "FEB", "HV", "500", period="2025-02")  # another period: not in the region's window

    [hit] = run_hits("M02")

    assert hit.hit_key == "E10|HV"
    assert hit.amount_involved == Decimal("350.00")  # (10 − 6.5) × 100
    assert json.loads(hit.evidence) == {
        "item_code": "HV",
        "limit_source": "percentile",
        "line_ids": [lines[10]],
        "net_quantity": "10",
        "percentile": "95",
        "ratio": "1.5385",  # 10 / 6.5 = 1.538461… rounded half up
        "region_encounters": "11",
        "unit_price": "100",
        "upper_limit": "6.5",
    }


def test_fractional_interpolation_and_refunds(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("HV", kind="material", high_value=True)
    _use(build, "E1", "HV", "1")
    _use(build, "E2", "HV", "2")
    _use(build, "E3", "HV", "2.5")  # h = 2 × 0.95 = 1.9 → 2 + 0.5 × 0.9 = 2.45
    # E4: 9 charged, 9 refunded → not used, not in the percentile.
    _use(build, "E4", "HV", "9")
    build.fee("E4", "HV", "2025-03-03 10:00:00", -9, 100, item_type="material")

    [hit] = run_hits("M02")

    assert hit.hit_key == "E3|HV"
    assert hit.amount_involved == Decimal("5.00")  # 0.05 × 100
    evidence = json.loads(hit.evidence)
    assert (evidence["upper_limit"], evidence["ratio"], evidence["region_encounters"]) == (
        "2.45",
        "1.0204",
        "3",
    )


def test_max_per_encounter_takes_precedence(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("CAP", kind="material", high_value=True, max_per_encounter=Decimal("2"))
    build.item("LOW", kind="material", high_value=False, max_per_encounter=Decimal("1"))
    _use(build, "E1", "CAP", "3")
    _use(build, "E2", "CAP", "2")  # at the limit
    _use(build, "E3", "CAP", "3")
    build.fee("E3", "CAP", "2025-03-04 10:00:00", -1, 100, item_type="material")  # refund back to 2
    _use(build, "E4", "LOW", "5")  # not high-value

    [hit] = run_hits("M02")

    assert hit.hit_key == "E1|CAP"
    assert hit.amount_involved == Decimal("100.00")
    evidence = json.loads(hit.evidence)
    assert (evidence["limit_source"], evidence["upper_limit"], evidence["region_encounters"]) == (
        "max_per_encounter",
        "2",
        None,
    )
    assert evidence["ratio"] == "1.5"
