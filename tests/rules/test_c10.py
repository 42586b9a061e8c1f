"""C10 检查无报告: an exam line with no exam report of its item in the encounter."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _report(
    build: StoreBuilder,
    encounter_id: str,
    item_code: str,
    institution_id: str = "H1",
    period: str = "2025-03",
) -> None:
    build.insert(
        "exam_reports",
        {
            "institution_id": institution_id,
            "encounter_id": encounter_id,
            "report_id": f"R-{encounter_id}-{item_code}",
            "item_code": item_code,
            "performed_at": "2025-03-02 10:00:00",
            "period": period,
            "batch_id": "b",
        },
    )


def test_exam_without_report(build: StoreBuilder, run_hits: RunHits) -> None:
    build.institution("H2")
    build.encounter("E1").encounter("E2").encounter("E3")
    build.encounter("E4", institution_id="H2").encounter("E5", institution_id="H2", period="2025-02")
    _report(build, "E1", "CT")
    build.fee("E1", "CT", "2025-03-02 09:00:00", item_type="exam")  # reported
    dr = build.fee("E1", "DR", "2025-03-02 09:30:00", 1, "55", item_type="exam", ordering_doctor_id="D8")
    build.fee("E1", "GLU", "2025-03-02 09:30:00", item_type="lab")  # not an exam
    ct = build.fee("E2", "CT", "2025-03-03 09:00:00", 2, 300, item_type="exam")  # E1's report is not E2's
    build.fee("E3", "DR", "2025-03-03 09:00:00", item_type="exam")  # refunded in full
    build.fee("E3", "DR", "2025-03-03 11:00:00", -1, item_type="exam")
    # H2 uploads reports only in February: not checked in March.
    _report(build, "E5", "CT", institution_id="H2", period="2025-02")
    build.fee("E4", "DR", "2025-03-03 09:00:00", item_type="exam")

    hits = {h.hit_key: h for h in run_hits("C10")}

    assert set(hits) == {f"E1|{dr}", f"E2|{ct}"}
    assert hits[f"E2|{ct}"].amount_involved == Decimal("600.00")
    assert hits[f"E1|{dr}"].doctor_id == "D8"
    assert json.loads(hits[f"E1|{dr}"].evidence) == {
        "item_code": "DR",
        "line_id": dr,
        "quantity": "1",
        "reports_in_period": "1",
    }


def test_no_reports_at_all(build: StoreBuilder, run_hits: RunHits) -> None:
    build.encounter("E1")
    build.fee("E1", "DR", "2025-03-02 09:00:00", item_type="exam")

    assert run_hits("C10") == []
