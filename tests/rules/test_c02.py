"""C02 超标准收费: unit_price > the price cap of the institution's level + 0.01."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits

CAPS: dict[str, Any] = {
    "price_cap_l3": Decimal("30"),
    "price_cap_l2": Decimal("20"),
    "price_cap_l1": Decimal("10"),
}


@pytest.mark.parametrize(("level", "cap"), [(3, "30"), (2, "20"), (1, "10"), (0, "10")])
def test_cap_of_the_institution_level(build: StoreBuilder, run_hits: RunHits, level: int, cap: str) -> None:
    build.institution("H2", level=level).item("X", **CAPS).encounter("E1", institution_id="H2")
    line = build.fee("E1", "X", "2025-03-02 08:00:00", 2, "35")

    [hit] = run_hits("C02")

    assert hit.hit_key == f"E1|{line}"
    assert hit.institution_id == "H2"
    assert hit.amount_involved == (Decimal("35") - Decimal(cap)) * 2
    evidence = json.loads(hit.evidence)
    assert (evidence["price_cap"], evidence["institution_level"], evidence["line_id"]) == (
        cap,
        str(level),
        line,
    )


def test_tolerance_boundary(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("X", price_cap_l3=Decimal("30")).encounter("E1")
    build.fee("E1", "X", "2025-03-02 08:00:00", 1, "30.01")  # within the 0.01 tolerance
    over = build.fee("E1", "X", "2025-03-02 09:00:00", 3, "30.0101")

    [hit] = run_hits("C02")

    assert hit.hit_key == f"E1|{over}"
    assert hit.amount_involved == Decimal("0.03")  # 0.0101 × 3 = 0.0303 → 0.03


def test_empty_cap_means_no_limit(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("X", price_cap_l3=None, price_cap_l1=Decimal("1")).encounter("E1")
    build.fee("E1", "X", "2025-03-02 08:00:00", 1, "999")

    assert run_hits("C02") == []


def test_refunds(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("X", price_cap_l3=Decimal("10")).item("Y", price_cap_l3=Decimal("10"))
    build.encounter("E1")
    build.fee("E1", "X", "2025-03-02 08:00:00", 1, 15)  # refunded in full: no charge
    build.fee("E1", "X", "2025-03-03 08:00:00", -1, 15)
    kept = build.fee("E1", "Y", "2025-03-02 08:00:00", 2, 15)  # partly refunded: the line fires
    build.fee("E1", "Y", "2025-03-02 09:00:00", -1, 15)

    [hit] = run_hits("C02")

    assert hit.hit_key == f"E1|{kept}"
    assert hit.amount_involved == Decimal("10.00")  # (15 − 10) × the line's quantity 2
