"""D06 给药途径不符: an order's route not among the drug's routes."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_route_outside_the_list(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("OME", "drug", routes="口服").item("CEF", "drug", routes="静脉滴注|静脉注射|肌内注射")
    build.item("ANY", "drug")
    build.encounter("E1", encounter_type="outpatient", admit="2025-03-02 09:00:00", discharge=None)
    build.order("E1", "O1", "OME", "2025-03-02 09:10:00", route="肌内注射", doctor_id="D6")
    build.order("E1", "O2", "OME", "2025-03-03 09:10:00", route="口服")
    build.order("E1", "O3", "OME", "2025-03-04 09:10:00", route="静脉注射")
    build.order("E1", "O4", "CEF", "2025-03-02 09:10:00", route="静脉注射")  # inside the list
    build.order("E1", "O5", "ANY", "2025-03-02 09:10:00", route="外用")  # no route limit
    build.encounter("E2")
    build.order("E2", "O1", "CEF", "2025-03-02 09:10:00", route="口服")
    build.order("E2", "O2", "CEF", "2025-03-02 10:10:00", route="肌内注射")

    hits = run_hits("D06")

    assert sorted(h.hit_key for h in hits) == ["E1|OME", "E2|CEF"]
    hit = next(h for h in hits if h.encounter_id == "E1")
    assert (hit.doctor_id, str(hit.event_date), hit.amount_involved) == ("D1", "2025-03-02", Decimal("0"))
    assert json.loads(hit.evidence) == {
        "allowed_routes": "口服",
        "drug_code": "OME",
        "order_ids": ["O1", "O3"],
        "order_routes": ["肌内注射", "静脉注射"],
    }
