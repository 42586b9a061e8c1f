"""C07 年龄不符: the patient's age in completed years on the charge day outside [age_min, age_max]."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_birthdays_are_inclusive_bounds(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("SCALP", age_max=6).item("ADULT", age_min=18).item("ANY")
    build.patient("KID", birth_date="2018-03-15").patient("TEEN", birth_date="2007-03-10")
    build.encounter("E1", patient_id="KID", admit="2025-03-13 08:00:00", discharge="2025-03-17 08:00:00")
    build.encounter("E2", patient_id="TEEN", admit="2025-03-08 08:00:00", discharge="2025-03-12 08:00:00")
    build.fee("E1", "SCALP", "2025-03-14 23:59:59")  # 6 the day before the 7th birthday
    seven = build.fee("E1", "SCALP", "2025-03-15 00:00:00", 2, "7.5")  # 7 on the birthday
    seventeen = build.fee("E2", "ADULT", "2025-03-09 12:00:00")  # 17
    build.fee("E2", "ADULT", "2025-03-10 12:00:00")  # 18 on the birthday
    build.fee("E2", "ANY", "2025-03-09 12:00:00")  # no age limit

    hits = {h.hit_key: h for h in run_hits("C07")}

    assert set(hits) == {f"E1|{seven}", f"E2|{seventeen}"}
    hit = hits[f"E1|{seven}"]
    assert hit.amount_involved == Decimal("15.00")
    assert json.loads(hit.evidence) == {
        "age": "7",
        "age_max": "6",
        "age_min": None,
        "birth_date": "2018-03-15",
        "charge_day": "2025-03-15",
        "item_code": "SCALP",
        "line_id": seven,
        "quantity": "2",
    }


def test_leap_day_birth_and_refunds(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("KIDS", age_max=4)
    build.patient("LEAP", birth_date="2020-02-29")
    build.encounter("E1", patient_id="LEAP", admit="2025-02-27 08:00:00", discharge="2025-03-02 08:00:00")
    build.encounter("E2", patient_id="LEAP", admit="2025-03-03 08:00:00", discharge="2025-03-04 08:00:00")
    build.fee("E1", "KIDS", "2025-02-28 12:00:00")  # still 4: 29 February has not come
    five = build.fee("E1", "KIDS", "2025-03-01 12:00:00")  # 5 from 1 March
    build.fee("E2", "KIDS", "2025-03-03 12:00:00")  # refunded in full
    build.fee("E2", "KIDS", "2025-03-03 13:00:00", -1)

    assert [h.hit_key for h in run_hits("C07")] == [f"E1|{five}"]
