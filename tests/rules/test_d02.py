"""D02 越级用药: a line of an item whose min_level is above the institution's level."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_fires_per_line_below_the_level(build: StoreBuilder, run_hits: RunHits) -> None:
    build.institution("H2", level=1).institution("H0", level=0).institution("H3", level=2)
    build.item("SF", "drug", min_level=2).item("AML", "drug")
    build.encounter("E1", institution_id="H2")
    a = build.fee("E1", "SF", "2025-03-02 11:00:00", 5, "30.5", item_type="drug_chinese_patent")
    b = build.fee("E1", "SF", "2025-03-03 11:00:00", 3, "30.5", item_type="drug_chinese_patent")
    # A partial refund: the item is still charged, each positive line is a hit.
    build.fee("E1", "SF", "2025-03-03 12:00:00", -3, "30.5", item_type="drug_chinese_patent")
    build.fee("E1", "AML", "2025-03-03 12:00:00", 3, 1, item_type="drug_western")  # no level limit
    build.encounter("E2", institution_id="H0")  # 未定级 is below every level
    c = build.fee("E2", "SF", "2025-03-02 11:00:00", 1, 30, item_type="drug_chinese_patent")
    build.encounter("E3", institution_id="H3")  # level 2 may use it
    build.fee("E3", "SF", "2025-03-02 11:00:00", 1, 30, item_type="drug_chinese_patent")
    build.encounter("E4", institution_id="H2")  # refunded in full: no charge
    build.fee("E4", "SF", "2025-03-02 11:00:00", 2, 30, item_type="drug_chinese_patent")
    build.fee("E4", "SF", "2025-03-02 12:00:00", -2, 30, item_type="drug_chinese_patent")

    hits = run_hits("D02")

    assert sorted(h.hit_key for h in hits) == sorted([f"E1|{a}", f"E1|{b}", f"E2|{c}"])
    hit = next(h for h in hits if h.hit_key == f"E1|{a}")
    assert (hit.amount_involved, str(hit.event_date), hit.institution_id) == (
        Decimal("152.50"),
        "2025-03-02",
        "H2",
    )
    assert json.loads(hit.evidence) == {
        "institution_level": "1",
        "item_code": "SF",
        "line_id": a,
        "min_level": "2",
        "quantity": "5",
    }
