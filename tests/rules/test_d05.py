"""D05 重复用药: two orders of one encounter with the same ingredient whose periods overlap."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _kb(build: StoreBuilder) -> None:
    build.item("IV", "drug", ingredient="左氧氟沙星").item("TAB", "drug", ingredient="左氧氟沙星")
    build.item("AML", "drug", ingredient="氨氯地平").item("X", "drug")


def test_overlapping_stay_orders(build: StoreBuilder, run_hits: RunHits) -> None:
    _kb(build)
    build.encounter("E1", admit="2025-03-01 08:00:00", discharge="2025-03-10 10:00:00")
    build.order("E1", "O1", "IV", "2025-03-01 10:00:00", end_at="2025-03-04 10:00:00")
    build.order("E1", "O2", "TAB", "2025-03-03 10:00:00", end_at="2025-03-06 08:00:00", doctor_id="D4")
    build.fee("E1", "TAB", "2025-03-03 10:05:00", 2, "3.5", item_type="drug_western")
    build.fee("E1", "TAB", "2025-03-04 10:05:00", 2, "3.5", item_type="drug_western")
    build.fee("E1", "IV", "2025-03-01 10:05:00", 1, 40, item_type="drug_western")
    # E2: the tablets start exactly when the infusion stops: no overlap.
    build.encounter("E2", admit="2025-03-01 08:00:00", discharge="2025-03-10 10:00:00")
    build.order("E2", "O1", "IV", "2025-03-01 10:00:00", end_at="2025-03-04 10:00:00")
    build.order("E2", "O2", "TAB", "2025-03-04 10:00:00", end_at="2025-03-06 08:00:00")
    # E3: no end: the order runs to the discharge; a different ingredient never pairs.
    build.encounter("E3", admit="2025-03-01 08:00:00", discharge="2025-03-05 10:00:00")
    build.order("E3", "O1", "IV", "2025-03-01 10:00:00")
    build.order("E3", "O2", "TAB", "2025-03-05 09:59:00")
    build.order("E3", "O3", "AML", "2025-03-02 09:59:00")
    build.order("E3", "O4", "X", "2025-03-02 09:59:00")
    build.order("E3", "O5", "X", "2025-03-02 09:59:00")  # no ingredient: not checked
    # E4: a stay without discharge time: an order without end is still running.
    build.encounter("E4", admit="2025-03-01 08:00:00", discharge=None)
    build.order("E4", "O1", "TAB", "2025-03-01 10:00:00")
    build.order("E4", "O2", "IV", "2025-03-20 10:00:00", end_at="2025-03-21 10:00:00")

    hits = run_hits("D05")

    assert sorted(h.hit_key for h in hits) == ["E1|TAB", "E3|TAB", "E4|IV"]
    hit = next(h for h in hits if h.encounter_id == "E1")
    assert hit.amount_involved == Decimal("14.00")  # the later drug's amount
    assert (hit.doctor_id, str(hit.event_date)) == ("D4", "2025-03-03")
    assert json.loads(hit.evidence) == {
        "drug_code": "TAB",
        "ingredient": "左氧氟沙星",
        "later_start": "2025-03-03 10:00:00",
        "order_pairs": ["O1>O2"],
    }


def test_visit_orders_end_with_supply_or_the_day(build: StoreBuilder, run_hits: RunHits) -> None:
    _kb(build)

    def visit(enc: str) -> None:
        build.encounter(enc, encounter_type="outpatient", admit="2025-03-02 09:00:00", discharge=None)

    # E1: 2 days' supply ends 03-04 09:00; a new order at that instant does not overlap.
    visit("E1")
    build.order("E1", "O1", "TAB", "2025-03-02 09:00:00", days_supply=2)
    build.order("E1", "O2", "TAB", "2025-03-04 09:00:00", days_supply=2)
    # E2: one minute earlier it does (same drug twice).
    visit("E2")
    build.order("E2", "O1", "TAB", "2025-03-02 09:00:00", days_supply=2)
    build.order("E2", "O2", "TAB", "2025-03-04 08:59:00", days_supply=2)
    # E3: no end, no supply: a visit's order lasts to the end of its day.
    visit("E3")
    build.order("E3", "O1", "TAB", "2025-03-02 09:10:00")
    build.order("E3", "O2", "IV", "2025-03-02 23:59:00")
    build.order("E3", "O3", "AML", "2025-03-02 09:10:00")
    build.order("E3", "O4", "AML", "2025-03-03 00:00:00")
    # E4: same start: the later drug is the greater order id.
    visit("E4")
    build.order("E4", "B", "IV", "2025-03-02 09:10:00")
    build.order("E4", "A", "TAB", "2025-03-02 09:10:00")

    hits = run_hits("D05")

    assert sorted(h.hit_key for h in hits) == ["E2|TAB", "E3|IV", "E4|IV"]
    assert all(h.amount_involved == 0 for h in hits)  # the later drug was not charged
    assert json.loads(next(h for h in hits if h.encounter_id == "E2").evidence)["order_pairs"] == ["O1>O2"]
