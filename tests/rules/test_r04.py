"""R04 时间逻辑错误: discharge before admission, early charges, procedures outside the stay."""

from __future__ import annotations

import json

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _procedure(build: StoreBuilder, encounter_id: str, seq: int, performed_at: str) -> None:
    build.insert(
        "procedures",
        {
            "institution_id": "H1",
            "encounter_id": encounter_id,
            "seq": seq,
            "icd9cm3_code": "47.0900",
            "performed_at": performed_at,
            "period": "2025-03",
            "batch_id": "b",
        },
    )


def test_time_inconsistencies(build: StoreBuilder, run_hits: RunHits) -> None:
    # Stays are 03-10 08:00 → 03-15 10:00 unless told otherwise.
    stay = {"admit": "2025-03-10 08:00:00", "discharge": "2025-03-15 10:00:00"}
    build.encounter("E1", admit="2025-03-10 08:00:00", discharge="2025-03-09 23:00:00")  # discharge first
    build.encounter("E2", admit="2025-03-10 08:00:00", discharge="2025-03-10 07:00:00")  # same day: fine
    build.encounter("E3", **stay)
    early = build.fee("E3", "X", "2025-03-08 23:59:59", 1)  # 2 days before: hit
    build.fee("E3", "Y", "2025-03-09 00:00:00", 1)  # 1 day before: allowed
    build.encounter("E4", **stay)
    build.fee("E4", "X", "2025-03-01 10:00:00", 1)
    build.fee("E4", "X", "2025-03-11 10:00:00", -1)  # refunded in full: no charge
    build.encounter("E5", **stay)
    _procedure(build, "E5", 1, "2025-03-15 23:00:00")  # discharge day: inside
    _procedure(build, "E5", 2, "2025-03-10 00:00:00")  # admission day: inside
    build.encounter("E6", **stay)
    _procedure(build, "E6", 1, "2025-03-16 00:00:00")  # after the discharge day
    _procedure(build, "E6", 2, "2025-03-09 23:59:00")  # before the admission day
    _procedure(build, "E6", 3, "2025-03-12 09:00:00")
    build.encounter("E7", encounter_type="outpatient", admit="2025-03-10 23:00:00", discharge=None)
    _procedure(build, "E7", 1, "2025-03-11 00:30:00")  # a visit's stay is its day
    build.encounter("E8", admit="2025-03-10 08:00:00", discharge=None)
    _procedure(build, "E8", 1, "2025-03-30 09:00:00")  # open stay: no upper bound

    hits = run_hits("R04")

    assert sorted(h.hit_key for h in hits) == ["E1", "E3", "E6", "E7"]
    evidence = {h.hit_key: json.loads(h.evidence) for h in hits}
    assert evidence["E1"]["discharge_before_admission"] is True
    assert (evidence["E1"]["early_line_ids"], evidence["E1"]["procedure_seqs"]) == (None, None)
    assert evidence["E3"] == {
        "admit_time": "2025-03-10 08:00:00",
        "discharge_before_admission": False,
        "discharge_time": "2025-03-15 10:00:00",
        "early_charge_days": "1",
        "early_line_ids": [early],
        "first_charge_day": "2025-03-08",
        "procedure_seqs": None,
    }
    assert evidence["E6"]["procedure_seqs"] == ["1", "2"]
    assert all(h.amount_involved == 0 and str(h.event_date) == "2025-03-10" for h in hits)
