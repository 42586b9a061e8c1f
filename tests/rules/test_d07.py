"""D07 越权使用抗菌药物: a graded antibiotic by a doctor whose privilege is lower."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _doctor(build: StoreBuilder, staff_id: str, privilege: str | None, institution_id: str = "H1") -> None:
    build.insert(
        "staff",
        {
            "staff_id": staff_id,
            "institution_id": institution_id,
            "role": "doctor",
            "antibiotic_privilege": privilege,
            "batch_id": "b",
        },
    )


def _kb(build: StoreBuilder) -> None:
    build.item("LEVO", "drug", antibiotic_grade="限制使用级")
    build.item("AMOX", "drug", antibiotic_grade="非限制使用级")
    build.item("MERO", "drug", antibiotic_grade="特殊使用级").item("OME", "drug")
    _doctor(build, "D1", "非限制使用级")
    _doctor(build, "D2", None)
    _doctor(build, "D3", "特殊使用级")
    _doctor(build, "D5", "特殊使用级", institution_id="H2")  # privileged elsewhere only


def test_orders_decide_the_prescriber(build: StoreBuilder, run_hits: RunHits) -> None:
    _kb(build)
    cases = [
        ("E1", "LEVO", "D1"),  # 限制使用级 by a 非限制使用级 doctor
        ("E2", "AMOX", "D2"),  # empty privilege allows no graded drug
        ("E3", "OME", "D2"),  # not an antibiotic
        ("E4", "LEVO", "D4"),  # doctor missing from staff: no hit
        ("E5", "MERO", "D3"),  # privileged
        ("E6", "MERO", "D5"),  # D5 is not staff of H1: missing, no hit
    ]
    dw = {"item_type": "drug_western"}
    for enc, drug, doctor in cases:
        build.encounter(enc)
        build.order(enc, "O1", drug, "2025-03-02 09:10:00", doctor_id=doctor)
    build.fee("E1", "LEVO", "2025-03-02 09:20:00", 3, "12.5", ordering_doctor_id="D3", **dw)
    build.fee("E1", "LEVO", "2025-03-03 09:20:00", -1, "12.5", item_type="drug_western")
    # E7: the lines name D1 but the order (D3) decides.
    build.encounter("E7")
    build.order("E7", "O1", "LEVO", "2025-03-02 09:10:00", doctor_id="D3")
    build.fee("E7", "LEVO", "2025-03-02 09:20:00", 3, 10, item_type="drug_western", ordering_doctor_id="D1")

    hits = run_hits("D07")

    assert sorted(h.hit_key for h in hits) == ["E1|LEVO", "E2|AMOX"]
    hit = next(h for h in hits if h.encounter_id == "E1")
    assert (hit.doctor_id, str(hit.event_date), hit.amount_involved) == ("D1", "2025-03-02", Decimal("25.00"))
    assert json.loads(hit.evidence) == {
        "antibiotic_grade": "限制使用级",
        "item_code": "LEVO",
        "prescribers": ["D1:非限制使用级"],
        "source_ids": ["O1"],
    }
    assert json.loads(next(h for h in hits if h.encounter_id == "E2").evidence)["prescribers"] == ["D2:无"]


def test_without_orders_the_lines_decide(build: StoreBuilder, run_hits: RunHits) -> None:
    _kb(build)
    dw = {"item_type": "drug_western"}
    build.encounter("E1", attending_doctor_id="D2")
    a = build.fee("E1", "MERO", "2025-03-02 09:20:00", 2, 80, item_type="drug_western")  # attending D2
    b = build.fee("E1", "MERO", "2025-03-03 09:20:00", 1, 80, ordering_doctor_id="D1", **dw)
    build.fee("E1", "MERO", "2025-03-04 09:20:00", 1, 80, ordering_doctor_id="D3", **dw)
    build.encounter("E2")  # refunded in full: no charge, no prescriber
    build.fee("E2", "LEVO", "2025-03-02 09:20:00", 2, 10, item_type="drug_western")
    build.fee("E2", "LEVO", "2025-03-02 10:20:00", -2, 10, item_type="drug_western")

    [hit] = run_hits("D07")

    assert (hit.hit_key, hit.doctor_id, hit.amount_involved) == ("E1|MERO", "D1", Decimal("320.00"))
    assert json.loads(hit.evidence) == {
        "antibiotic_grade": "特殊使用级",
        "item_code": "MERO",
        "prescribers": ["D1:非限制使用级", "D2:无"],
        "source_ids": sorted([a, b]),
    }
