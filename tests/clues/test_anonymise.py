"""The expert's evidence carries no identity."""

from __future__ import annotations

from sanjianguan.clues.anonymise import MASK, expert_evidence
from sanjianguan.db.models import Clue


def test_identity_keys_dropped_and_values_masked() -> None:
    clue = Clue(
        id="c",
        rule_id="r",
        period="2026-02",
        institution_id="H1",
        department="儿科",
        doctor_id="D7",
        patient_id="P9",
        encounter_id="E5",
        evidence={
            "patient_id": "P9",
            "doctor_name": "张三",
            "note": "D7 开具 at H1 儿科",
            "lines": [{"encounter_id": "E5", "qty": 2}],
        },
    )
    scrubbed = expert_evidence(clue)
    assert scrubbed == {"note": f"{MASK} 开具 at {MASK} {MASK}", "lines": [{"qty": 2}]}
