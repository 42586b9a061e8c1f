"""T13 门急诊频次异常: ≥ 4 outpatient + emergency visits of a patient in a day, or ≥ 20 in a month."""

from __future__ import annotations

import json

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _visit(build: StoreBuilder, encounter_id: str, patient: str, admit: str, **kw: object) -> None:
    kw.setdefault("encounter_type", "outpatient")
    build.encounter(encounter_id, patient_id=patient, admit=admit, discharge=None, **kw)


def test_day_and_month_counts(build: StoreBuilder, run_hits: RunHits) -> None:
    build.institution("H2")
    for pid in ("P2", "P3", "P4"):
        build.patient(pid)
    # P1: four visits on 03-21 at two institutions (an emergency one included): hit.
    _visit(build, "A1", "P1", "2025-03-21 08:00:00")
    _visit(build, "A2", "P1", "2025-03-21 09:00:00", institution_id="H2", department="儿科")
    _visit(
        build,
        "A3",
        "P1",
        "2025-03-21 23:59:59",
        institution_id="H2",
        attending_doctor_id="D8",
        department="急诊科",
        encounter_type="emergency",
    )
    _visit(build, "A4", "P1", "2025-03-21 10:00:00")
    _visit(build, "A5", "P1", "2025-03-22 00:00:00")  # the next day
    # P2: three visits and a chronic one: no hit.
    for n in range(3):
        _visit(build, f"B{n}", "P2", f"2025-03-21 0{8 + n}:00:00")
    _visit(build, "B3", "P2", "2025-03-21 12:00:00", encounter_type="chronic_outpatient")
    # P3: twenty visits in March, one a day: a month hit; P4: nineteen.
    for n in range(1, 21):
        _visit(build, f"C{n:02d}", "P3", f"2025-03-{n:02d} 10:00:00")
    for n in range(1, 20):
        _visit(build, f"D{n:02d}", "P4", f"2025-03-{n:02d} 10:00:00")
    _visit(build, "D99", "P4", "2025-03-02 10:00:00", encounter_type="inpatient")  # not a visit

    hits = run_hits("T13")

    assert sorted(h.hit_key for h in hits) == ["P1|2025-03-21", "P3|2025-03"]
    day = next(h for h in hits if h.hit_key == "P1|2025-03-21")
    assert (day.encounter_id, day.institution_id, day.doctor_id, day.department) == (
        "A3",
        "H2",
        "D8",
        "急诊科",
    )
    assert (day.patient_id, str(day.event_date), day.amount_involved) == ("P1", "2025-03-21", 0)
    assert json.loads(day.evidence) == {
        "encounter_ids": ["A1", "A2", "A3", "A4"],
        "institutions": ["H1", "H2"],
        "min_visits": "4",
        "unit": "day",
        "visit_period": "2025-03-21",
        "visits": "4",
    }
    month = next(h for h in hits if h.hit_key == "P3|2025-03")
    assert (month.encounter_id, str(month.event_date)) == ("C20", "2025-03-20")
    assert json.loads(month.evidence)["unit"] == "month"


def test_the_last_visit_decides_the_period(build: StoreBuilder, run_hits: RunHits) -> None:
    build.patient("P2")
    # P1: four visits on 03-31; the last one is settled in April.
    for n in range(3):
        _visit(build, f"A{n}", "P1", f"2025-03-31 0{8 + n}:00:00")
    _visit(build, "A3", "P1", "2025-03-31 18:00:00", period="2025-04")
    # P2: four visits on 02-28 settled in March; same admit time: the larger id is the last.
    for n in range(4):
        _visit(build, f"B{n}", "P2", "2025-02-28 08:00:00")

    assert [(h.hit_key, h.encounter_id) for h in run_hits("T13")] == [("P2|2025-02-28", "B3")]
    assert [(h.hit_key, h.encounter_id) for h in run_hits("T13", period="2025-04")] == [
        ("P1|2025-03-31", "A3")
    ]
