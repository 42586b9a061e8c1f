"""D10 配伍禁忌: two orders of an encounter, related as incompatible, starting the same day."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_same_day_incompatible_orders(build: StoreBuilder, run_hits: RunHits) -> None:
    build.ref("ref_item_relations", item_a="CEF", item_b="CAL", relation="incompatible")
    build.ref("ref_item_relations", item_a="CAL", item_b="CEF", relation="incompatible")  # listed both ways
    build.ref("ref_item_relations", item_a="LEVO", item_b="ALU", relation="incompatible")
    build.ref("ref_item_relations", item_a="CEF", item_b="VITC", relation="excludes")  # not incompatible
    build.encounter("E1")
    build.order("E1", "O1", "CEF", "2025-03-01 10:00:00", doctor_id="D3")
    build.order("E1", "O2", "CAL", "2025-03-01 15:00:00", doctor_id="D4")
    build.order("E1", "O3", "VITC", "2025-03-01 15:00:00")
    build.order("E1", "O4", "CAL", "2025-03-03 15:00:00")  # the day after CEF started
    # E2: started the next day: no hit; E3: reversed order of the relation.
    build.encounter("E2")
    build.order("E2", "O1", "CEF", "2025-03-01 23:59:00")
    build.order("E2", "O2", "CAL", "2025-03-02 00:00:00")
    build.encounter("E3")
    build.order("E3", "O1", "ALU", "2025-03-02 08:00:00")
    build.order("E3", "O2", "LEVO", "2025-03-02 08:00:00")

    hits = run_hits("D10")

    assert sorted(h.hit_key for h in hits) == ["E1|CAL|CEF", "E3|ALU|LEVO"]
    hit = next(h for h in hits if h.encounter_id == "E1")
    assert (hit.doctor_id, str(hit.event_date), hit.amount_involved) == ("D4", "2025-03-01", Decimal("0"))
    assert json.loads(hit.evidence) == {
        "drug_a": "CAL",
        "drug_b": "CEF",
        "order_pairs": ["O2+O1"],
        "start_day": "2025-03-01",
    }
