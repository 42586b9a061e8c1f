"""T09 超负荷接诊: a doctor with > 100 outpatient + emergency encounters in one day."""

from __future__ import annotations

import json
from pathlib import Path

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _visits(
    build: StoreBuilder, doctor: str, day: str, count: int, encounter_type: str = "outpatient", **kw: object
) -> None:
    for n in range(count):
        build.encounter(
            f"{doctor}-{day}-{encounter_type}-{kw.get('institution_id', 'H1')}-{n}",
            encounter_type=encounter_type,
            admit=f"{day} {8 + n // 60:02d}:{n % 60:02d}:00",
            discharge=None if encounter_type != "inpatient" else f"{day} 23:00:00",
            attending_doctor_id=doctor,
            **kw,
        )


def test_more_than_the_limit(build: StoreBuilder, run_hits: RunHits) -> None:
    _visits(build, "DA", "2025-03-17", 100, department="全科医疗科")
    _visits(build, "DA", "2025-03-17", 1, "emergency", department="急诊科")  # 101: hit
    _visits(build, "DB", "2025-03-17", 100)  # exactly 100: no hit
    _visits(build, "DB", "2025-03-17", 3, "chronic_outpatient")  # not counted
    _visits(build, "DB", "2025-03-17", 2, "inpatient")  # not counted
    _visits(build, "DA", "2025-03-18", 5)

    [hit] = run_hits("T09")

    assert hit.hit_key == "DA|2025-03-17"
    assert (hit.doctor_id, hit.patient_id, hit.encounter_id, hit.related_encounter_id) == (
        "DA",
        None,
        None,
        None,
    )
    assert (hit.institution_id, hit.department, str(hit.event_date)) == ("H1", "全科医疗科", "2025-03-17")
    assert hit.amount_involved == 0
    assert json.loads(hit.evidence) == {
        "emergency_visits": "1",
        "institutions": ["H1"],
        "max_visits": "100",
        "outpatient_visits": "100",
        "visit_day": "2025-03-17",
        "visits": "101",
    }


def test_days_belong_to_their_period(build: StoreBuilder, run_hits: RunHits, home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "rules.toml").write_text("[T09.params]\nmax_visits = 2\n", encoding="utf-8")
    build.institution("H2")
    _visits(build, "DC", "2025-03-31", 2, institution_id="H2")
    _visits(build, "DC", "2025-03-31", 1, "emergency")  # 3 at two institutions: hit
    _visits(build, "DC", "2025-03-01", 2)  # 2: no hit
    _visits(build, "DD", "2025-02-28", 3)  # settled in March, but a February day
    _visits(build, "DE", "2025-04-01", 3)  # settled in March, but an April day

    [hit] = run_hits("T09")

    assert (hit.hit_key, hit.institution_id) == ("DC|2025-03-31", "H1")
    assert json.loads(hit.evidence)["institutions"] == ["H1", "H2"]
    assert [h.hit_key for h in run_hits("T09", period="2025-02")] == ["DD|2025-02-28"]
