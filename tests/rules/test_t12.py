"""T12 越级手术: a procedure's surgery level above its operator's surgery privilege."""

from __future__ import annotations

import json

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _staff(build: StoreBuilder, staff_id: str, privilege: int | None, institution_id: str = "H1") -> None:
    build.insert(
        "staff",
        {
            "staff_id": staff_id,
            "institution_id": institution_id,
            "role": "doctor",
            "department": "普外科",
            "surgery_privilege": privilege,
            "batch_id": "b",
        },
    )


def _procedure(
    build: StoreBuilder, encounter_id: str, seq: int, level: int | None, operator: str | None
) -> None:
    build.insert(
        "procedures",
        {
            "institution_id": "H1",
            "encounter_id": encounter_id,
            "seq": seq,
            "icd9cm3_code": "47.0900",
            "performed_at": "2025-03-02 10:30:00",
            "operator_id": operator,
            "surgery_level": level,
            "period": "2025-03",
            "batch_id": "b",
        },
    )


def test_level_above_privilege(build: StoreBuilder, run_hits: RunHits) -> None:
    build.institution("H2")
    _staff(build, "S3", 3)
    _staff(build, "S0", None)  # empty privilege: no graded surgery allowed
    _staff(build, "S9", 4, institution_id="H2")  # privileged elsewhere only
    build.encounter("E1").encounter("E2").encounter("E3")
    _procedure(build, "E1", 1, 4, "S3")  # 4 > 3: hit
    _procedure(build, "E1", 2, 3, "S3")  # at the privilege: no hit
    _procedure(build, "E2", 1, 1, "S0")  # empty privilege: hit
    _procedure(build, "E2", 2, None, "S0")  # no level: not checked
    _procedure(build, "E3", 1, 4, "S7")  # operator missing from staff: no hit
    _procedure(build, "E3", 2, 4, None)  # no operator: no hit
    _procedure(build, "E3", 3, 2, "S9")  # not staff of H1: no hit

    hits = run_hits("T12")

    assert sorted(h.hit_key for h in hits) == ["E1|1", "E2|1"]
    first = next(h for h in hits if h.hit_key == "E1|1")
    assert (first.doctor_id, first.department, str(first.event_date)) == ("S3", "普外科", "2025-03-02")
    assert first.amount_involved == 0
    assert json.loads(first.evidence) == {
        "icd9cm3_code": "47.0900",
        "operator_id": "S3",
        "performed_at": "2025-03-02 10:30:00",
        "seq": "1",
        "surgery_level": "4",
        "surgery_privilege": "3",
    }
    second = next(h for h in hits if h.hit_key == "E2|1")
    assert json.loads(second.evidence)["surgery_privilege"] is None
