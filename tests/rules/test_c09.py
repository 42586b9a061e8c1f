"""C09 住院期间门诊收费: an outpatient visit at the same institution strictly inside a stay."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _visit(build: StoreBuilder, encounter_id: str, day: str, **kw: Any) -> None:
    kw.setdefault("encounter_type", "outpatient")
    build.encounter(encounter_id, admit=f"{day} 15:00:00", discharge=None, **kw)


def test_visit_strictly_inside_the_stay(build: StoreBuilder, run_hits: RunHits) -> None:
    build.institution("H2").patient("P2")
    build.encounter("S1", admit="2025-03-01 08:00:00", discharge="2025-03-10 10:00:00")
    _visit(
        build, "V1", "2025-03-05", total_amount=Decimal("86.5"), department="眼科", attending_doctor_id="D3"
    )
    _visit(build, "V2", "2025-03-01")  # the admission day
    _visit(build, "V3", "2025-03-10")  # the discharge day
    _visit(build, "V4", "2025-03-05", encounter_type="emergency")
    _visit(build, "V5", "2025-03-05", encounter_type="chronic_outpatient")
    _visit(build, "V6", "2025-03-05", institution_id="H2")  # another institution
    _visit(build, "V7", "2025-03-05", patient_id="P2")  # another patient

    [hit] = run_hits("C09")

    assert hit.hit_key == "V1|S1"
    assert (hit.encounter_id, hit.related_encounter_id) == ("V1", "S1")
    assert (hit.department, hit.doctor_id, str(hit.event_date)) == ("眼科", "D3", "2025-03-05")
    assert hit.amount_involved == Decimal("86.50")
    assert json.loads(hit.evidence) == {
        "admit_day": "2025-03-01",
        "discharge_day": "2025-03-10",
        "visit_day": "2025-03-05",
        "visit_total": "86.5",
    }


def test_the_visit_decides_the_period(build: StoreBuilder, run_hits: RunHits) -> None:
    # The stay is settled in April; the visits inside it in February and March.
    build.encounter("S1", admit="2025-02-20 08:00:00", discharge="2025-04-02 10:00:00", period="2025-04")
    build.encounter("S2", admit="2025-03-10 08:00:00", discharge=None)  # no discharge: not checked
    _visit(build, "V1", "2025-02-25", period="2025-02")
    _visit(build, "V2", "2025-03-20")

    assert [(h.encounter_id, h.related_encounter_id) for h in run_hits("C09")] == [("V2", "S1")]
    assert [h.hit_key for h in run_hits("C09", period="2025-02")] == ["V1|S1"]
    assert run_hits("C09", period="2025-04") == []
