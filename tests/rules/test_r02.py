"""R02 诊断与性别不符: a female-only diagnosis for a male, or a male-only one for a female."""

from __future__ import annotations

import json

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


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


def test_ranges_on_the_category(build: StoreBuilder, run_hits: RunHits) -> None:
    build.patient("F", sex="2").patient("U", sex="9")
    # P1 is male.
    build.encounter("E1", main_diagnosis="O80.000")
    _diagnosis(build, "E1", 1, "O80.000")  # same code on the row and in diagnoses: one hit
    _diagnosis(build, "E1", 2, "N40.x00")  # male-only: fine for a male
    _diagnosis(build, "E1", 3, "N98.100")  # upper bound of N70-N98
    _diagnosis(build, "E1", 4, "N99.000")  # outside
    build.encounter("E2", main_diagnosis="D25.900")  # only on the encounter row
    _diagnosis(build, "E2", 2, "D29.000")  # outside D25-D28
    build.encounter("E3", patient_id="F", main_diagnosis="C61.x00")
    _diagnosis(build, "E3", 2, "N53.900")  # upper bound of N40-N53
    _diagnosis(build, "E3", 3, "C64.x00")  # outside C60-C63
    _diagnosis(build, "E3", 4, "O80.000")  # female-only: fine
    build.encounter("E4", patient_id="U", main_diagnosis="O80.000")  # sex unknown: not checked
    build.encounter("E5", main_diagnosis="C51.900", period="2025-02")

    hits = run_hits("R02")

    assert sorted(h.hit_key for h in hits) == [
        "E1|N98.100",
        "E1|O80.000",
        "E2|D25.900",
        "E3|C61.x00",
        "E3|N53.900",
    ]
    c61 = next(h for h in hits if h.hit_key == "E3|C61.x00")
    assert (c61.patient_id, c61.amount_involved, str(c61.event_date)) == ("F", 0, "2025-03-05")
    assert json.loads(c61.evidence) == {
        "category": "C61",
        "icd10_code": "C61.x00",
        "patient_sex": "2",
        "restricted_to": "male",
    }
