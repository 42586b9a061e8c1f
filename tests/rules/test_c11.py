"""C11 限定就医方式: an inpatient-only item outside a stay, an outpatient-only item in a stay."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_settings(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("IPO", setting="inpatient").item("OPO", setting="outpatient").item("ANY")
    build.encounter("O1", encounter_type="outpatient", discharge=None)
    build.encounter("M1", encounter_type="emergency", discharge=None)
    build.encounter("C1", encounter_type="chronic_outpatient", discharge=None)
    build.encounter("S1")
    for enc in ("O1", "M1", "C1", "S1"):
        build.fee(enc, "IPO", "2025-03-02 09:00:00")
        build.fee(enc, "OPO", "2025-03-02 09:00:00")
        build.fee(enc, "ANY", "2025-03-02 09:00:00")

    hits = run_hits("C11")

    assert {h.hit_key for h in hits} == {"O1|IPO", "M1|IPO", "C1|IPO", "S1|OPO"}


def test_amount_is_the_net_amount_of_the_item(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("IPO", setting="inpatient")
    build.encounter("O1", encounter_type="outpatient", discharge=None)
    build.encounter("O2", encounter_type="outpatient", discharge=None)
    a = build.fee("O1", "IPO", "2025-03-02 09:00:00", 3, "12.5", ordering_doctor_id="D4")
    b = build.fee("O1", "IPO", "2025-03-03 09:00:00", -1, "12.5")
    c = build.fee("O1", "IPO", "2025-03-03 10:00:00", 1, "20")
    build.fee("O2", "IPO", "2025-03-02 09:00:00", 2)  # refunded in full
    build.fee("O2", "IPO", "2025-03-02 10:00:00", -2)

    [hit] = run_hits("C11")

    assert hit.hit_key == "O1|IPO"
    assert hit.amount_involved == Decimal("45.00")  # 37.5 − 12.5 + 20
    assert (hit.doctor_id, str(hit.event_date)) == ("D4", "2025-03-02")
    assert json.loads(hit.evidence) == {
        "encounter_type": "outpatient",
        "item_code": "IPO",
        "line_ids": sorted([a, b, c]),
        "net_quantity": "3",
        "setting": "inpatient",
    }
