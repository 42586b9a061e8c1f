"""R05 首页必填缺失: an inpatient without discharge time, discharge disposition or main diagnosis."""

from __future__ import annotations

import json

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_missing_front_page_fields(build: StoreBuilder, run_hits: RunHits) -> None:
    build.encounter("E1", discharge=None, discharge_disposition="1")
    build.encounter("E2", discharge_disposition=None)
    build.encounter("E3", discharge_disposition=" ", main_diagnosis="")
    build.encounter("E4", discharge_disposition="5")  # complete
    build.encounter("E5", encounter_type="outpatient", discharge=None, main_diagnosis="")  # not an inpatient
    build.encounter("E6", discharge=None, discharge_disposition=None, main_diagnosis="", period="2025-02")

    hits = run_hits("R05")

    missing = {h.hit_key: json.loads(h.evidence)["missing"] for h in hits}
    assert missing == {
        "E1": "discharge_time",
        "E2": "discharge_disposition",
        "E3": "discharge_disposition,main_diagnosis",
    }
    e1 = next(h for h in hits if h.hit_key == "E1")
    assert (str(e1.event_date), e1.amount_involved, e1.doctor_id) == ("2025-03-01", 0, "D1")
    assert json.loads(e1.evidence) == {
        "discharge_disposition": "1",
        "discharge_time": None,
        "main_diagnosis": "J18.900",
        "missing": "discharge_time",
    }
    [e6] = run_hits("R05", period="2025-02")
    assert json.loads(e6.evidence)["missing"] == "discharge_time,discharge_disposition,main_diagnosis"
