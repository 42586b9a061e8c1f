"""C04 互斥收费: items a and b charged in one encounter on one day where a `excludes` b."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _excludes(build: StoreBuilder, a: str, b: str) -> None:
    build.ref("ref_item_relations", item_a=a, item_b=b, relation="excludes")


def test_fires_on_the_cheaper_item(build: StoreBuilder, run_hits: RunHits) -> None:
    _excludes(build, "ICU", "BED")
    build.encounter("E1")
    icu = build.fee("E1", "ICU", "2025-03-02 20:00:00", 1, 300, item_type="bed")
    bed = build.fee("E1", "BED", "2025-03-02 12:00:00", 1, 40, item_type="bed")

    [hit] = run_hits("C04")

    assert hit.hit_key == "E1|BED|2025-03-02"
    assert hit.amount_involved == Decimal("40.00")
    assert json.loads(hit.evidence) == {
        "excluding_items": ["ICU"],
        "excluding_line_ids": [icu],
        "item_amount": "40",
        "item_code": "BED",
        "line_ids": [bed],
        "net_quantity": "1",
    }


def test_read_both_ways_once(build: StoreBuilder, run_hits: RunHits) -> None:
    # Declared X→Y and Y→X: one hit per pair. E1: X cheaper (a relation read backwards);
    # E2: equal amounts → the smaller code; E3: Z excludes X and Y, X cheapest → one hit.
    _excludes(build, "Y", "X")
    _excludes(build, "X", "Y")
    _excludes(build, "Z", "X")
    _excludes(build, "Z", "Y")
    build.encounter("E1").encounter("E2").encounter("E3")
    build.fee("E1", "X", "2025-03-02 08:00:00", 2, 5)
    build.fee("E1", "Y", "2025-03-02 09:00:00", 1, 50)
    build.fee("E2", "X", "2025-03-02 08:00:00", 1, 20)
    build.fee("E2", "Y", "2025-03-02 09:00:00", 2, 10)
    build.fee("E3", "Z", "2025-03-05 08:00:00", 1, 500)
    build.fee("E3", "X", "2025-03-05 08:00:00", 1, 5)

    hits = {h.hit_key: h for h in run_hits("C04")}

    assert set(hits) == {"E1|X|2025-03-02", "E2|X|2025-03-02", "E3|X|2025-03-05"}
    assert hits["E1|X|2025-03-02"].amount_involved == Decimal("10.00")
    assert json.loads(hits["E3|X|2025-03-05"].evidence)["excluding_items"] == ["Z"]


def test_days_and_refunds(build: StoreBuilder, run_hits: RunHits) -> None:
    _excludes(build, "ICU", "BED")
    build.encounter("E1").encounter("E2")
    build.fee("E1", "ICU", "2025-03-02 23:59:59", 1, 300)
    build.fee("E1", "BED", "2025-03-03 00:00:00", 1, 40)  # the next day
    build.fee("E2", "ICU", "2025-03-02 08:00:00", 1, 300)
    build.fee("E2", "BED", "2025-03-02 08:00:00", 1, 40)
    build.fee("E2", "BED", "2025-03-02 18:00:00", -1, 40)  # refunded in full
    build.fee("E2", "ICU", "2025-03-04 08:00:00", 2, 300)
    build.fee("E2", "ICU", "2025-03-04 09:00:00", -1, 300)  # partly refunded: still charged
    build.fee("E2", "BED", "2025-03-04 08:00:00", 1, 400)  # dearer than the net ICU 300

    [hit] = run_hits("C04")

    assert hit.hit_key == "E2|ICU|2025-03-04"
    assert hit.amount_involved == Decimal("300.00")
