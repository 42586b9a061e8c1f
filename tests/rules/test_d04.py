"""D04 超量开药: outpatient days_supply > 7, chronic outpatient > 30."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_supply_limits_by_encounter_type(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("AML", "drug")
    cases = [
        ("E1", "outpatient", 8),
        ("E2", "outpatient", 7),
        ("E3", "chronic_outpatient", 31),
        ("E4", "chronic_outpatient", 30),
        ("E5", "emergency", 10),  # emergency orders are not checked
        ("E6", "inpatient", 40),  # nor inpatient ones
        ("E7", "outpatient", None),  # no days_supply: not checked
    ]
    for enc, etype, supply in cases:
        build.encounter(enc, encounter_type=etype, admit="2025-03-02 09:00:00", discharge=None)
        build.order(enc, "O1", "AML", "2025-03-02 09:10:00", days_supply=supply, doctor_id="D3")

    hits = run_hits("D04")

    assert sorted(h.hit_key for h in hits) == ["E1|AML", "E3|AML"]
    hit = next(h for h in hits if h.encounter_id == "E3")
    assert (hit.doctor_id, str(hit.event_date), hit.amount_involved) == ("D3", "2025-03-02", Decimal("0"))
    assert json.loads(hit.evidence) == {
        "days_supply": "31",
        "drug_code": "AML",
        "encounter_type": "chronic_outpatient",
        "order_ids": ["O1"],
        "supply_limit": "30",
    }


def test_one_hit_per_drug_with_the_longest_supply(build: StoreBuilder, run_hits: RunHits) -> None:
    build.encounter("E1", encounter_type="outpatient", admit="2025-03-02 09:00:00", discharge=None)
    build.order("E1", "O1", "AML", "2025-03-02 09:10:00", days_supply=10)
    build.order("E1", "O2", "AML", "2025-03-02 09:12:00", days_supply=14)
    build.order("E1", "O3", "AML", "2025-03-02 09:15:00", days_supply=5)
    build.order("E1", "O4", "MET", "2025-03-02 09:15:00", days_supply=9)

    hits = run_hits("D04")

    assert sorted(h.hit_key for h in hits) == ["E1|AML", "E1|MET"]
    evidence = json.loads(next(h for h in hits if h.hit_key == "E1|AML").evidence)
    assert (evidence["order_ids"], evidence["days_supply"]) == (["O1", "O2"], "14")
