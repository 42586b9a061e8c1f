"""T04 小病大治/检查性住院: minor main diagnosis and exam+lab share ≥ 0.5 or no other clinical charge."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _charge(build: StoreBuilder, encounter_id: str, item_type: str, amount: str, qty: int = 1) -> None:
    build.fee(encounter_id, item_type.upper(), "2025-03-02 10:00:00", qty, amount, item_type=item_type)


def test_share_and_other_clinical(build: StoreBuilder, run_hits: RunHits) -> None:
    build.ref("ref_minor_diagnoses", icd10_prefix="I63.8").ref("ref_minor_diagnoses", icd10_prefix="M51")
    build.ref("ref_minor_diagnoses", icd10_prefix="M51.2")
    # HALF: exam+lab exactly 50 % of the lines → hit.
    build.encounter("HALF", main_diagnosis="M51.202", total_amount=Decimal("1234.56"))
    _charge(build, "HALF", "exam", "300")
    _charge(build, "HALF", "lab", "100")
    _charge(build, "HALF", "drug_western", "250")
    _charge(build, "HALF", "bed", "150")
    # BELOW: 399.99 of 800 → no hit (drugs charged).
    build.encounter("BELOW", main_diagnosis="M51.202")
    _charge(build, "BELOW", "exam", "399.99")
    _charge(build, "BELOW", "drug_western", "400.01")
    # ONLYBED: no clinical charge other than exam and lab (none at all) → hit.
    build.encounter("ONLYBED", main_diagnosis="I63.800")
    _charge(build, "ONLYBED", "bed", "500")
    _charge(build, "ONLYBED", "exam", "30")
    # REFUNDED: the only drug refunded in full → counts as no other clinical charge.
    build.encounter("REFUNDED", main_diagnosis="I63.801")
    _charge(build, "REFUNDED", "treatment", "900")
    _charge(build, "REFUNDED", "treatment", "900", -1)
    _charge(build, "REFUNDED", "nursing", "40")
    # Not minor, or not inpatient.
    build.encounter("MAJOR", main_diagnosis="I63.900")
    _charge(build, "MAJOR", "exam", "900")
    build.encounter("VISIT", main_diagnosis="M51.202", encounter_type="outpatient", discharge=None)
    _charge(build, "VISIT", "exam", "900")

    hits = {h.hit_key: h for h in run_hits("T04")}

    assert set(hits) == {"HALF", "ONLYBED", "REFUNDED"}
    half = hits["HALF"]
    assert (half.amount_involved, str(half.event_date)) == (Decimal("1234.56"), "2025-03-01")
    assert json.loads(half.evidence) == {
        "exam_lab_amount": "400",
        "line_amount": "800",
        "main_diagnosis": "M51.202",
        "min_share": "0.5",
        "minor_prefixes": ["M51", "M51.2"],
        "other_clinical_items": "1",
        "share": "0.5",
    }
    only_bed = json.loads(hits["ONLYBED"].evidence)
    assert (only_bed["share"], only_bed["other_clinical_items"]) == ("0.0566", "0")  # 30 / 530


def test_stay_without_lines(build: StoreBuilder, run_hits: RunHits) -> None:
    build.ref("ref_minor_diagnoses", icd10_prefix="J06")
    build.encounter("EMPTY", main_diagnosis="J06.900", discharge=None, total_amount=Decimal("88"))
    build.encounter("OTHER", main_diagnosis="J06.900", period="2025-02")

    [hit] = run_hits("T04")

    assert (hit.hit_key, hit.amount_involved) == ("EMPTY", Decimal("88.00"))
    evidence = json.loads(hit.evidence)
    assert (evidence["share"], evidence["line_amount"], evidence["minor_prefixes"]) == (None, "0", ["J06"])
