"""C03 分解收费: items a and b charged in one encounter on one day where a `includes` b."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _includes(build: StoreBuilder, a: str, b: str) -> None:
    build.ref("ref_item_relations", item_a=a, item_b=b, relation="includes")


def test_fires_on_the_included_item_with_its_day_amount(build: StoreBuilder, run_hits: RunHits) -> None:
    _includes(build, "A", "B")
    _includes(build, "A2", "B")
    build.encounter("E1")
    a = build.fee("E1", "A", "2025-03-02 08:00:00", 1, 100)
    a2 = build.fee("E1", "A2", "2025-03-02 21:00:00", 1, 80)
    b1 = build.fee("E1", "B", "2025-03-02 08:05:00", 2, "10.5", ordering_doctor_id="D7", department="急诊科")
    b2 = build.fee("E1", "B", "2025-03-02 09:00:00", -1, "10.5")
    b3 = build.fee("E1", "B", "2025-03-02 23:59:59", 1, 12)

    [hit] = run_hits("C03")

    assert hit.hit_key == "E1|B|2025-03-02"
    assert hit.amount_involved == Decimal("22.50")  # 21 − 10.5 + 12: b's net amount of the day
    assert (hit.doctor_id, hit.department, str(hit.event_date)) == ("D7", "急诊科", "2025-03-02")
    assert json.loads(hit.evidence) == {
        "including_items": ["A", "A2"],
        "including_line_ids": sorted([a, a2]),
        "item_amount": "22.5",
        "item_code": "B",
        "line_ids": sorted([b1, b2, b3]),
        "net_quantity": "2",
    }


def test_only_on_the_same_day_and_in_the_same_encounter(build: StoreBuilder, run_hits: RunHits) -> None:
    _includes(build, "A", "B")
    build.encounter("E1").encounter("E2")
    build.fee("E1", "A", "2025-03-02 23:59:59", 1, 100)
    build.fee("E1", "B", "2025-03-03 00:00:00", 1, 10)  # the next day
    build.fee("E2", "B", "2025-03-02 12:00:00", 1, 10)  # another encounter
    build.fee("E2", "A", "2025-03-04 12:00:00", 1, 100)
    build.fee("E2", "B", "2025-03-04 13:00:00", 1, 10)  # E2 on 03-04: fires
    build.fee("E1", "C", "2025-03-02 12:00:00", 1, 10)  # no relation

    assert [h.hit_key for h in run_hits("C03")] == ["E2|B|2025-03-04"]


def test_refunds_in_full_are_no_charge(build: StoreBuilder, run_hits: RunHits) -> None:
    _includes(build, "A", "B")
    build.encounter("E1").encounter("E2")
    build.fee("E1", "A", "2025-03-02 08:00:00", 1, 100)
    build.fee("E1", "B", "2025-03-02 08:00:00", 1, 10)
    build.fee("E1", "B", "2025-03-02 10:00:00", -1, 10)  # b refunded the same day
    build.fee("E2", "A", "2025-03-02 08:00:00", 1, 100)
    build.fee("E2", "A", "2025-03-02 09:00:00", -1, 100)  # a refunded the same day
    build.fee("E2", "B", "2025-03-02 08:00:00", 1, 10)

    assert run_hits("C03") == []
