"""C01 重复收费: net quantity of an item in one encounter on one day > max_per_day."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_fires_with_highest_price_of_the_day(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("X", max_per_day=1).encounter("E1")
    a = build.fee("E1", "X", "2025-03-02 08:00:00", 1, "10.00")
    b = build.fee("E1", "X", "2025-03-02 20:00:00", 2, "12.50", ordering_doctor_id="D9", department="外科")

    [hit] = run_hits("C01")

    assert hit.hit_key == "E1|X|2025-03-02"
    assert hit.amount_involved == Decimal("25.00")  # (3 - 1) × 12.50
    assert (hit.doctor_id, hit.department) == ("D9", "外科")  # ordering doctor of the lines
    assert str(hit.event_date) == "2025-03-02"
    assert json.loads(hit.evidence) == {
        "item_code": "X",
        "line_ids": sorted([a, b]),
        "max_per_day": "1",
        "net_quantity": "3",
        "unit_price": "12.5",
    }


def test_refund_nets_the_quantity(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("X", max_per_day=1).encounter("E1")
    build.fee("E1", "X", "2025-03-02 08:00:00", 1)
    build.fee("E1", "X", "2025-03-02 09:00:00", 1)
    build.fee("E1", "X", "2025-03-02 10:00:00", -1)

    assert run_hits("C01") == []


def test_midnight_splits_days(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("X", max_per_day=1).encounter("E1")
    build.fee("E1", "X", "2025-03-02 23:59:59", 1)
    build.fee("E1", "X", "2025-03-03 00:00:00", 1)

    assert run_hits("C01") == []


def test_same_day_over_limit_defaults_to_attending_doctor(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("X", max_per_day=2).encounter("E1", department="儿科")
    build.fee("E1", "X", "2025-03-02 00:00:00", 2)
    build.fee("E1", "X", "2025-03-02 23:59:59", "0.5", 8)

    [hit] = run_hits("C01")

    assert hit.amount_involved == Decimal("5.00")  # 0.5 × the highest price 10
    assert (hit.doctor_id, hit.department) == ("D1", "儿科")


def test_no_limit_or_other_period_does_not_fire(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("X", max_per_day=1).item("Y").encounter("E1").encounter("E2", period="2025-02")
    build.fee("E1", "Y", "2025-03-02 08:00:00", 5)  # no max_per_day
    build.fee("E1", "Z", "2025-03-02 08:00:00", 5)  # not in the KB
    build.fee("E2", "X", "2025-02-02 08:00:00", 5)  # settled in another period

    assert run_hits("C01") == []
    assert len(run_hits("C01", period="2025-02")) == 1
