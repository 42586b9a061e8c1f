"""R03 手术收费无手术记录: surgery lines in an encounter without any procedures row."""

from __future__ import annotations

import json

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _procedure(build: StoreBuilder, encounter_id: str) -> None:
    build.insert(
        "procedures",
        {
            "institution_id": "H1",
            "encounter_id": encounter_id,
            "seq": 1,
            "icd9cm3_code": "47.0900",
            "performed_at": "2025-03-02 10:00:00",
            "period": "2025-03",
            "batch_id": "b",
        },
    )


def test_surgery_lines_without_procedure(build: StoreBuilder, run_hits: RunHits) -> None:
    build.encounter("E1").encounter("E2").encounter("E3").encounter("E4")
    a = build.fee("E1", "OP", "2025-03-02 10:00:00", 1, "800", item_type="surgery", ordering_doctor_id="D7")
    build.fee("E1", "X", "2025-03-02 10:00:00", 1, item_type="treatment")  # not surgery
    _procedure(build, "E2")
    build.fee("E2", "OP", "2025-03-02 10:00:00", 1, "800", item_type="surgery")  # has a procedure
    build.fee("E3", "OP", "2025-03-02 10:00:00", 1, "800", item_type="surgery")
    build.fee("E3", "OP", "2025-03-03 10:00:00", -1, "800", item_type="surgery")  # refunded in full
    b = build.fee("E4", "OP", "2025-03-02 10:00:00", 2, "300", item_type="surgery")
    build.fee("E4", "OP", "2025-03-03 10:00:00", -1, "300", item_type="surgery")  # refund line: no hit

    hits = run_hits("R03")

    assert sorted(h.hit_key for h in hits) == sorted([f"E1|{a}", f"E4|{b}"])
    e1 = next(h for h in hits if h.encounter_id == "E1")
    assert (e1.doctor_id, str(e1.event_date), e1.amount_involved) == ("D7", "2025-03-02", 0)
    assert json.loads(e1.evidence) == {
        "amount": "800",
        "item_code": "OP",
        "line_id": a,
        "quantity": "1",
        "unit_price": "800",
    }


def test_no_procedures_rows_at_all(build: StoreBuilder, run_hits: RunHits) -> None:
    build.encounter("E1", encounter_type="outpatient", discharge=None)
    a = build.fee("E1", "OP", "2025-03-01 10:00:00", 1, "50", item_type="surgery")

    assert [h.hit_key for h in run_hits("R03")] == [f"E1|{a}"]
