"""D01 超适应症: a drug with indication_icd charged in an encounter whose diagnoses match none."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits

NBP = "NBP"  # 丁苯酞: I63 only
MET = "MET"  # 二甲双胍: E11|E13|E14|R73


def _diagnosis(build: StoreBuilder, encounter_id: str, seq: int, code: str) -> None:
    build.insert(
        "diagnoses",
        {
            "institution_id": "H1",
            "encounter_id": encounter_id,
            "seq": seq,
            "icd10_code": code,
            "kind": "main" if seq == 1 else "other",
            "period": "2025-03",
            "batch_id": "b",
        },
    )


def test_fires_without_a_matching_diagnosis(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item(NBP, "drug", indication_icd="I63").item(MET, "drug", indication_icd="E11|E13|E14|R73")
    build.item("AML", "drug")
    # E1: upper-respiratory infection, 丁苯酞 charged (a partial refund nets the amount).
    build.encounter("E1", encounter_type="outpatient", discharge=None, main_diagnosis="J06.900")
    _diagnosis(build, "E1", 1, "J06.900")
    a = build.fee("E1", NBP, "2025-03-02 09:10:00", 10, 5, item_type="drug_western", ordering_doctor_id="D7")
    b = build.fee("E1", NBP, "2025-03-03 09:10:00", 8, 5, item_type="drug_western")
    c = build.fee("E1", NBP, "2025-03-04 09:10:00", -2, 5, item_type="drug_western")
    # E2: cerebral infarction only as a secondary diagnosis: matches.
    build.encounter("E2", main_diagnosis="R51.x00")
    _diagnosis(build, "E2", 1, "R51.x00")
    _diagnosis(build, "E2", 2, "I63.900")
    build.fee("E2", NBP, "2025-03-02 10:00:00", 4, 5, item_type="drug_western")
    # E3: main diagnosis on the encounter only (no diagnoses rows), lower-case code.
    build.encounter("E3", main_diagnosis="e11.900")
    build.fee("E3", MET, "2025-03-02 10:00:00", 4, 1, item_type="drug_western")
    # E4: the restricted drug refunded in full is no charge.
    build.encounter("E4", main_diagnosis="J06.900")
    build.fee("E4", NBP, "2025-03-02 10:00:00", 4, 5, item_type="drug_western")
    build.fee("E4", NBP, "2025-03-02 11:00:00", -4, 5, item_type="drug_western")
    # E5: a drug without indication limit; a prefix longer than the code does not match.
    build.encounter("E5", main_diagnosis="E1")
    build.fee("E5", "AML", "2025-03-02 10:00:00", 4, 1, item_type="drug_western")
    build.fee("E5", MET, "2025-03-02 10:00:00", 2, 3, item_type="drug_western")

    hits = run_hits("D01")

    assert sorted(h.hit_key for h in hits) == ["E1|NBP", "E5|MET"]
    hit = next(h for h in hits if h.encounter_id == "E1")
    assert hit.amount_involved == Decimal("80.00")  # (10 + 8 − 2) × 5
    assert (hit.doctor_id, str(hit.event_date)) == ("D7", "2025-03-02")
    assert json.loads(hit.evidence) == {
        "diagnoses": ["J06.900"],
        "indication_icd": "I63",
        "item_code": NBP,
        "line_ids": sorted([a, b, c]),
        "net_quantity": "16",
    }


def test_encounter_without_any_diagnosis_fires(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item(NBP, "drug", indication_icd="I63|I61")
    build.encounter("E1", main_diagnosis=None).encounter("E2", main_diagnosis="I61.000")
    build.fee("E1", NBP, "2025-03-02 10:00:00", 2, "12.5", item_type="drug_western")
    build.fee("E2", NBP, "2025-03-02 10:00:00", 2, "12.5", item_type="drug_western")
    build.encounter("E3", period="2025-02", main_diagnosis="J06.900")  # another period
    build.fee("E3", NBP, "2025-02-02 10:00:00", 2, "12.5", item_type="drug_western")

    [hit] = run_hits("D01")

    assert (hit.hit_key, hit.amount_involved) == ("E1|NBP", Decimal("25.00"))
    assert json.loads(hit.evidence)["diagnoses"] is None
