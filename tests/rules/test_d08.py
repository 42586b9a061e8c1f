"""D08 超限定天数: a drug charged on more distinct days of an encounter than its max_days."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_days_beyond_the_first_max_days(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("OZ", "drug", max_days=3).item("AML", "drug")
    build.encounter("E1", admit="2025-03-01 08:00:00", discharge="2025-03-12 10:00:00")
    for day in (1, 2, 3, 4):
        build.fee("E1", "OZ", f"2025-03-0{day} 10:00:00", 2, 15, item_type="drug_western")
    build.fee("E1", "OZ", "2025-03-02 11:00:00", -2, 15, item_type="drug_western")  # day 2 nets to 0
    a = build.fee("E1", "OZ", "2025-03-05 10:00:00", 1, 15, item_type="drug_western", ordering_doctor_id="D8")
    b = build.fee("E1", "OZ", "2025-03-05 16:00:00", 1, 15, item_type="drug_western")  # one day, two lines
    c = build.fee("E1", "OZ", "2025-03-06 23:59:59", 3, 15, item_type="drug_western")
    for day in range(1, 10):
        build.fee("E1", "AML", f"2025-03-0{day} 10:00:00", 1, 1, item_type="drug_western")  # no limit
    # E2: exactly max_days charged days.
    build.encounter("E2")
    for day in (1, 3, 5):
        build.fee("E2", "OZ", f"2025-03-0{day} 10:00:00", 2, 15, item_type="drug_western")

    [hit] = run_hits("D08")

    # Charged days: 03-01, 03-03, 03-04, 03-05, 03-06 → beyond the first 3: 03-05 and 03-06.
    assert hit.hit_key == "E1|OZ"
    assert hit.amount_involved == Decimal("75.00")  # (2 + 3) × 15
    assert (hit.doctor_id, str(hit.event_date)) == ("D8", "2025-03-05")
    assert json.loads(hit.evidence) == {
        "charge_days": "5",
        "days_beyond": ["2025-03-05", "2025-03-06"],
        "item_code": "OZ",
        "line_ids": sorted([a, b, c]),
        "max_days": "3",
    }
