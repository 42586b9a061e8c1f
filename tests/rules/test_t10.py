"""T10 透析异常: > 3 dialysis sessions in an ISO week, two institutions on a day, no renal diagnosis."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits

HD = "HD"  # tagged dialysis
FILTER = "FILTER"  # tagged dialysis_consumable: not a session


def _kb(build: StoreBuilder) -> None:
    build.item(HD, tags="ct|dialysis").item(FILTER, kind="material", tags="dialysis_consumable")


def _session(
    build: StoreBuilder,
    encounter_id: str,
    patient: str,
    day: str,
    *,
    qty: int = 1,
    dx: str = "N18.500",
    period: str = "2025-03",
    institution_id: str = "H1",
) -> str:
    build.encounter(
        encounter_id,
        patient_id=patient,
        institution_id=institution_id,
        encounter_type="chronic_outpatient",
        admit=f"{day} 08:00:00",
        discharge=None,
        main_diagnosis=dx,
        period=period,
    )
    line = build.fee(encounter_id, HD, f"{day} 08:10:00", qty, "400")
    build.fee(encounter_id, FILTER, f"{day} 08:11:00", 1, "100", item_type="material")
    return line


def test_weekly_excess(build: StoreBuilder, run_hits: RunHits) -> None:
    _kb(build)
    build.patient("P2")
    # P1, ISO week Mon 03-03 … Sun 03-09: the 4th session (03-07) is beyond.
    for encounter_id, day in (("W1", "03"), ("W2", "04"), ("W3", "05"), ("W4", "07")):
        _session(build, encounter_id, "P1", f"2025-03-{day}")
    # Fri 03-14, Sat, Sun, Mon 03-17: two ISO weeks.
    for encounter_id, day in (("F1", "14"), ("F2", "15"), ("F3", "16"), ("F4", "17")):
        _session(build, encounter_id, "P1", f"2025-03-{day}")
    # Week of Mon 02-24 across the month boundary: three in February, the 4th on Sat 03-01.
    for encounter_id, day in (("M1", "2025-02-24"), ("M2", "2025-02-25"), ("M3", "2025-02-26")):
        _session(build, encounter_id, "P1", day, period="2025-02")
    _session(build, "M4", "P1", "2025-03-01")
    # P2: two sessions on Mon 03-10 and two on Tue 03-11: one of Tuesday's is beyond.
    _session(build, "Q1", "P2", "2025-03-10", qty=2)
    _session(build, "Q2", "P2", "2025-03-11", qty=2)

    hits = run_hits("T10")

    assert sorted(h.hit_key for h in hits) == ["M4|HD", "Q2|HD", "W4|HD"]
    q2 = next(h for h in hits if h.hit_key == "Q2|HD")
    assert q2.amount_involved == Decimal("400.00")  # one session of two
    assert json.loads(q2.evidence)["flagged_sessions"] == "1"
    assert run_hits("T10", period="2025-02") == []


def test_two_institutions_on_one_day(build: StoreBuilder, run_hits: RunHits) -> None:
    _kb(build)
    build.institution("H2")
    a = _session(build, "A", "P1", "2025-03-11", qty=1)
    _session(build, "B", "P1", "2025-03-11", institution_id="H2")
    _session(build, "C", "P1", "2025-03-12", institution_id="H2")  # one institution that day
    _session(build, "D", "P1", "2025-03-04", period="2025-02")  # another week and period

    hits = run_hits("T10")

    assert sorted(h.hit_key for h in hits) == ["A|HD", "B|HD"]
    # Each hit names the other institution's encounter of that day (rules.md: two encounters).
    assert {h.encounter_id: h.related_encounter_id for h in hits} == {"A": "B", "B": "A"}
    hit = next(h for h in hits if h.hit_key == "A|HD")
    assert (hit.encounter_id, hit.amount_involved, str(hit.event_date)) == (
        "A",
        Decimal("400.00"),
        "2025-03-11",
    )
    assert (hit.doctor_id, hit.department, hit.institution_id) == ("D1", "内科", "H1")
    assert json.loads(hit.evidence) == {
        "flagged_days": ["2025-03-11"],
        "flagged_sessions": "1",
        "item_code": "HD",
        "line_ids": [a],
        "lookback_days": "365",
        "max_sessions_per_week": "3",
        "no_renal_diagnosis": False,
        "two_institutions": True,
        "weekly_excess_sessions": "0",
    }


def test_related_encounter_is_the_other_institutions_on_the_first_such_day(
    build: StoreBuilder, run_hits: RunHits
) -> None:
    _kb(build)
    build.institution("H2").institution("H3")
    # A (H1) is one encounter over two days: on 03-12 the patient also dialyses at H3 (C), on
    # 03-11 at H2 (B): the earlier day's encounter B is named. E (H1, weekly only) names none.
    _session(build, "A", "P1", "2025-03-11")
    _session(build, "B", "P1", "2025-03-11", institution_id="H2")
    build.fee("A", HD, "2025-03-12 08:10:00", 1, "400")
    _session(build, "C", "P1", "2025-03-12", institution_id="H3")
    _session(build, "E", "P1", "2025-03-13")
    _session(build, "F", "P1", "2025-03-14")

    hits = {h.encounter_id: h for h in run_hits("T10")}

    assert {e: h.related_encounter_id for e, h in hits.items()} == {
        "A": "B",
        "B": "A",
        "C": "A",
        "E": None,
        "F": None,
    }
    assert json.loads(hits["A"].evidence)["flagged_days"] == ["2025-03-11", "2025-03-12"]
    assert json.loads(hits["E"].evidence)["two_institutions"] is False


def test_renal_diagnosis_look_back(build: StoreBuilder, run_hits: RunHits) -> None:
    _kb(build)
    for pid in ("P2", "P3", "P4"):
        build.patient(pid)
    day = dt.date(2025, 3, 12)
    # P1: hypertensive sessions, no renal diagnosis anywhere: every session counts.
    _session(build, "A1", "P1", "2025-03-10", dx="I12.000")
    _session(build, "A2", "P1", "2025-03-12", dx="I12.000")
    # P2: a renal diagnosis (other diagnosis) on a visit 364 days before: inside the 365 days.
    build.encounter(
        "R2",
        patient_id="P2",
        encounter_type="outpatient",
        admit=f"{day - dt.timedelta(days=364)} 09:00:00",
        discharge=None,
        main_diagnosis="I10.x00",
        period="2024-03",
    )
    build.insert(
        "diagnoses",
        {
            "institution_id": "H1",
            "encounter_id": "R2",
            "seq": 2,
            "icd10_code": "N18.500",
            "period": "2024-03",
            "batch_id": "b",
        },
    )
    _session(build, "B1", "P2", str(day), dx="Z49.100")
    # P3: the renal visit was 365 days before: outside.
    build.encounter(
        "R3",
        patient_id="P3",
        encounter_type="outpatient",
        admit=f"{day - dt.timedelta(days=365)} 09:00:00",
        discharge=None,
        main_diagnosis="N18.500",
        period="2024-03",
    )
    _session(build, "C1", "P3", str(day), dx="Z49.100")
    # P4: the renal diagnosis is on a later visit only.
    _session(build, "D1", "P4", str(day), dx="Z49.100")
    build.encounter(
        "R4",
        patient_id="P4",
        encounter_type="outpatient",
        admit="2025-03-13 09:00:00",
        discharge=None,
        main_diagnosis="N19.x00",
    )

    hits = run_hits("T10")

    assert sorted(h.hit_key for h in hits) == ["A1|HD", "A2|HD", "C1|HD", "D1|HD"]
    c1 = next(h for h in hits if h.hit_key == "C1|HD")
    evidence = json.loads(c1.evidence)
    assert (evidence["no_renal_diagnosis"], evidence["two_institutions"]) == (True, False)
    assert c1.amount_involved == Decimal("400.00")
