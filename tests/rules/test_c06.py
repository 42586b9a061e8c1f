"""C06 性别不符: an item whose `sex_limit` differs from the patient's sex (1 or 2)."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_fires_per_line_for_the_other_sex(build: StoreBuilder, run_hits: RunHits) -> None:
    build.patient("P2", sex="2").item("PROSTATE", sex_limit="1")
    build.encounter("E1", patient_id="P2", encounter_type="outpatient", discharge=None)
    a = build.fee("E1", "PROSTATE", "2025-03-02 09:00:00", 2, "25.5", ordering_doctor_id="D5")
    b = build.fee("E1", "PROSTATE", "2025-03-03 09:00:00", 1, "25.5")
    build.fee("E1", "PROSTATE", "2025-03-03 10:00:00", -1, "25.5")  # a refund line never fires

    hits = run_hits("C06")

    assert [h.hit_key for h in sorted(hits, key=lambda h: h.hit_key)] == [f"E1|{a}", f"E1|{b}"]
    [first] = [h for h in hits if h.hit_key == f"E1|{a}"]
    assert first.amount_involved == Decimal("51.00")
    assert (first.doctor_id, first.patient_id, str(first.event_date)) == ("D5", "P2", "2025-03-02")
    assert json.loads(first.evidence) == {
        "item_code": "PROSTATE",
        "line_id": a,
        "patient_sex": "2",
        "quantity": "2",
        "sex_limit": "1",
    }


def test_unknown_sex_same_sex_no_limit_and_full_refund(build: StoreBuilder, run_hits: RunHits) -> None:
    build.patient("P9", sex="9").patient("P2", sex="2")
    build.item("PROSTATE", sex_limit="1").item("GYN", sex_limit="2").item("ANY")
    build.encounter("E1", patient_id="P9").encounter("E2").encounter("E3", patient_id="P2")
    build.fee("E1", "PROSTATE", "2025-03-02 09:00:00")  # sex 9 is not checked
    build.fee("E1", "GYN", "2025-03-02 09:00:00")
    build.fee("E2", "PROSTATE", "2025-03-02 09:00:00")  # P1 is male
    build.fee("E2", "ANY", "2025-03-02 09:00:00")
    build.fee("E3", "PROSTATE", "2025-03-02 09:00:00")  # refunded in full: no charge
    build.fee("E3", "PROSTATE", "2025-03-04 09:00:00", -1)
    gyn = build.fee("E2", "GYN", "2025-03-02 09:00:00")  # a female-only item for a man

    assert [h.hit_key for h in run_hits("C06")] == [f"E2|{gyn}"]
