"""D03 超剂量: dose × times_per_day above max_daily_dose, in the units max_daily_dose is kept in."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _visit(build: StoreBuilder, encounter_id: str) -> None:
    build.encounter(encounter_id, encounter_type="outpatient", admit="2025-03-02 09:00:00", discharge=None)


def test_fires_per_encounter_and_drug(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("AML", "drug", max_daily_dose=10).item("ASP", "drug")
    for enc in ("E1", "E2", "E3", "E4"):
        _visit(build, enc)
    # E1: two orders over the limit → one hit; 10 mg twice and 12 mg once.
    build.order("E1", "O1", "AML", "2025-03-02 09:10:00", dose=10, times_per_day=2, doctor_id="D5")
    build.order("E1", "O2", "AML", "2025-03-03 09:10:00", dose=12, times_per_day=1)
    # E2: exactly the maximum.
    build.order("E2", "O1", "AML", "2025-03-02 09:10:00", dose=5, times_per_day=2)
    # E3: other units are not checked (0.04 g; 20 ug would look over the limit).
    build.order("E3", "O1", "AML", "2025-03-02 09:10:00", dose="0.02", dose_unit="g", times_per_day=2)
    build.order("E3", "O2", "AML", "2025-03-02 09:10:00", dose=20, dose_unit="ug", times_per_day=1)
    # E4: a drug without max_daily_dose; 2.5 mg × 4.5 = 11.25 > 10 in another encounter fires.
    build.order("E4", "O1", "ASP", "2025-03-02 09:10:00", dose=500, times_per_day=3)
    _visit(build, "E5")
    build.order("E5", "O1", "AML", "2025-03-04 09:10:00", dose="2.5", times_per_day="4.5")

    hits = run_hits("D03")

    assert sorted(h.hit_key for h in hits) == ["E1|AML", "E5|AML"]
    hit = next(h for h in hits if h.encounter_id == "E1")
    assert (hit.doctor_id, str(hit.event_date), hit.amount_involved) == ("D1", "2025-03-02", Decimal("0"))
    assert json.loads(hit.evidence) == {
        "daily_dose": "20",
        "dose_unit": "mg",
        "drug_code": "AML",
        "max_daily_dose": "10",
        "order_ids": ["O1", "O2"],
    }
    assert json.loads(next(h for h in hits if h.encounter_id == "E5").evidence)["daily_dose"] == "11.25"


def test_a_region_can_change_the_checked_units(build: StoreBuilder, run_hits: RunHits, home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "rules.toml").write_text('[D03.params]\ndose_units = "ug"\n', encoding="utf-8")
    build.item("AML", "drug", max_daily_dose=10)
    _visit(build, "E1")
    build.order("E1", "O1", "AML", "2025-03-02 09:10:00", dose=10, times_per_day=2)  # mg: not checked now
    build.order("E1", "O2", "AML", "2025-03-02 09:10:00", dose=20, dose_unit="ug", times_per_day=1)

    [hit] = run_hits("D03")

    assert json.loads(hit.evidence)["order_ids"] == ["O2"]
