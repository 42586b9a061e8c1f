"""M01 高值耗材无手术: a high-value material without a procedure matching its `requires` relation."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _procedure(build: StoreBuilder, encounter_id: str, code: str, period: str = "2025-03") -> None:
    build.insert(
        "procedures",
        {
            "institution_id": "H1",
            "encounter_id": encounter_id,
            "seq": 1,
            "icd9cm3_code": code,
            "performed_at": "2025-03-02 09:00:00",
            "period": period,
            "batch_id": "b",
        },
    )


def test_requires_relation(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("STENT", kind="material", high_value=True)
    build.ref("ref_item_relations", item_a="STENT", item_b="36.06", relation="requires")
    build.ref("ref_item_relations", item_a="STENT", item_b="00.66", relation="requires")
    # E1: only an unrelated procedure → hit; E2: the second prefix matches → no hit.
    build.encounter("E1").encounter("E2").encounter("E3")
    _procedure(build, "E1", "88.5500")
    a = build.fee("E1", "STENT", "2025-03-02 10:00:00", 2, "5000.5", item_type="material")
    b = build.fee("E1", "STENT", "2025-03-03 10:00:00", -1, "5000.5", item_type="material")
    _procedure(build, "E2", "00.6601")
    build.fee("E2", "STENT", "2025-03-02 10:00:00", 1, 5000, item_type="material")
    # E3: the procedure prefix is not a prefix of the code (36.0 ≠ 36.06) → hit.
    _procedure(build, "E3", "36.0")
    build.fee("E3", "STENT", "2025-03-04 10:00:00", 1, 5000, item_type="material")

    hits = {h.hit_key: h for h in run_hits("M01")}

    assert set(hits) == {"E1|STENT", "E3|STENT"}
    hit = hits["E1|STENT"]
    assert hit.amount_involved == Decimal("5000.50")  # net: 2 − 1 refunded
    assert str(hit.event_date) == "2025-03-02"
    assert json.loads(hit.evidence) == {
        "item_code": "STENT",
        "line_ids": sorted([a, b]),
        "material_amount": "5000.5",
        "net_quantity": "1",
        "procedures": ["88.5500"],
        "requires": ["00.66", "36.06"],
    }


def test_without_relation_any_procedure_suffices(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("HV", kind="material", high_value=True).item("LOW", kind="material", high_value=False)
    build.item("NOFLAG", kind="material")
    build.encounter("E1").encounter("E2").encounter("E3")
    build.encounter("E4", period="2025-02")
    for enc in ("E1", "E2", "E4"):
        build.fee(enc, "HV", "2025-03-02 10:00:00", 1, 800, item_type="material")
    _procedure(build, "E2", "99.99")  # any procedure
    build.fee("E1", "LOW", "2025-03-02 10:00:00", 1, 800, item_type="material")
    build.fee("E1", "NOFLAG", "2025-03-02 10:00:00", 1, 800, item_type="material")
    # E3: refunded in full → no charge.
    build.fee("E3", "HV", "2025-03-02 10:00:00", 1, 800, item_type="material")
    build.fee("E3", "HV", "2025-03-02 11:00:00", -1, 800, item_type="material")

    hits = run_hits("M01")

    assert [h.hit_key for h in hits] == ["E1|HV"]
    assert json.loads(hits[0].evidence)["procedures"] is None
    assert json.loads(hits[0].evidence)["requires"] is None


def test_procedure_of_another_encounter_does_not_count(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("HV", kind="material", high_value=True)
    build.ref("ref_item_relations", item_a="HV", item_b="81", relation="requires")
    build.ref("ref_item_relations", item_a="HV", item_b="81", relation="includes")
    build.encounter("E1").encounter("E2", period="2025-02")
    build.fee("E1", "HV", "2025-03-02 10:00:00", 1, 800, item_type="material", ordering_doctor_id="D7")
    _procedure(build, "E2", "81.51", period="2025-02")

    [hit] = run_hits("M01")

    assert (hit.encounter_id, hit.doctor_id, hit.amount_involved) == ("E1", "D7", Decimal("800.00"))
