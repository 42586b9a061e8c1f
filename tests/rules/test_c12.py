"""C12 超限定频次: a patient's net count of an item in a calendar unit over its `freq_limit`."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _visit(build: StoreBuilder, encounter_id: str, day: str, **kw: Any) -> None:
    build.encounter(encounter_id, admit=f"{day} 08:00:00", discharge=None, encounter_type="outpatient", **kw)


def test_month_over_two_institutions(build: StoreBuilder, run_hits: RunHits) -> None:
    build.institution("H2").item("HBA1C", freq_limit=1, freq_window="month")
    _visit(build, "E1", "2025-03-03")
    _visit(build, "E2", "2025-03-20", institution_id="H2")
    _visit(build, "E3", "2025-04-01", period="2025-04")  # another month
    first = build.fee("E1", "HBA1C", "2025-03-03 09:00:00", 1, 60)
    second = build.fee("E2", "HBA1C", "2025-03-20 09:00:00", 1, "65.5", ordering_doctor_id="D2")
    build.fee("E3", "HBA1C", "2025-04-01 09:00:00", 1, 60)

    [hit] = run_hits("C12")

    assert hit.hit_key == "P1|HBA1C|2025-03-01|E2"
    assert (hit.patient_id, hit.encounter_id, hit.institution_id, hit.doctor_id) == ("P1", "E2", "H2", "D2")
    assert hit.amount_involved == Decimal("65.50")
    assert str(hit.event_date) == "2025-03-20"
    assert json.loads(hit.evidence) == {
        "count_before": "1",
        "encounters": ["E1", "E2"],
        "freq_limit": "1",
        "freq_window": "month",
        "item_code": "HBA1C",
        "line_ids": [second],
        "quantity": "1",
        "unit_count": "2",
        "unit_price": "65.5",
        "unit_start": "2025-03-01",
        "units_beyond": "1",
    }
    assert first not in hit.evidence
    assert run_hits("C12", period="2025-04") == []


def test_iso_weeks_days_and_refunds(build: StoreBuilder, run_hits: RunHits) -> None:
    build.patient("P2").patient("P3")
    build.item("HEAR", freq_limit=1, freq_window="week").item("DAY", freq_limit=2, freq_window="day")
    build.item("FREE")
    # Sunday 03-09 and Monday 03-10: two ISO weeks. Monday 03-10 and Sunday 03-16: one.
    _visit(build, "W1", "2025-03-09")
    _visit(build, "W2", "2025-03-10")
    _visit(build, "W3", "2025-03-16")
    for enc, day in (("W1", "03-09"), ("W2", "03-10"), ("W3", "03-16")):
        build.fee(enc, "HEAR", f"2025-{day} 09:00:00", 1, 50)
        build.fee(enc, "FREE", f"2025-{day} 09:00:00", 9, 50)  # no limit
    # One encounter, one day: 4 net (5 − 1) against 2 → 2 beyond; midnight splits days.
    build.encounter("S1", patient_id="P2")
    build.fee("S1", "DAY", "2025-03-02 08:00:00", 5, 10)
    build.fee("S1", "DAY", "2025-03-02 09:00:00", -1, 10)
    build.fee("S1", "DAY", "2025-03-02 23:59:59", 0, 10)
    build.fee("S1", "DAY", "2025-03-03 00:00:00", 2, 10)
    # A charge refunded in full in another encounter does not count.
    _visit(build, "R1", "2025-03-04", patient_id="P3")
    _visit(build, "R2", "2025-03-04", patient_id="P3")
    build.fee("R1", "DAY", "2025-03-04 08:00:00", 2, 10)
    build.fee("R1", "DAY", "2025-03-04 08:30:00", -2, 10)
    build.fee("R2", "DAY", "2025-03-04 09:00:00", 2, 10)

    hits = {h.hit_key: h for h in run_hits("C12")}

    assert set(hits) == {"P1|HEAR|2025-03-10|W3", "P2|DAY|2025-03-02|S1"}
    assert hits["P2|DAY|2025-03-02|S1"].amount_involved == Decimal("20.00")
    assert json.loads(hits["P2|DAY|2025-03-02|S1"].evidence)["units_beyond"] == "2"


def test_the_whole_store_in_time_order(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("Y", freq_limit=2, freq_window="year")
    # Year 2025, limit 2: February's stay brings 2 (within the limit), March's visit 3.
    build.encounter("F1", period="2025-02", admit="2025-02-10 08:00:00", discharge="2025-02-12 08:00:00")
    build.fee("F1", "Y", "2025-02-10 09:00:00", 2, 10)
    _visit(build, "M1", "2025-03-05")
    build.fee("M1", "Y", "2025-03-05 09:00:00", 3, 10)
    # A stay settled in April whose charge (03-02) comes before M1's counts before M1:
    # it brings the count to 3 (1 beyond, reported in April), so all 3 of M1 are beyond.
    build.encounter("A1", period="2025-04", admit="2025-03-02 08:00:00", discharge="2025-04-01 08:00:00")
    build.fee("A1", "Y", "2025-03-02 09:00:00", 1, 10)
    # 2024 is another unit.
    build.encounter("D1", period="2025-01", admit="2024-12-30 08:00:00", discharge="2025-01-02 08:00:00")
    build.fee("D1", "Y", "2024-12-31 09:00:00", 2, 10)

    [march] = run_hits("C12")
    [april] = run_hits("C12", period="2025-04")

    assert march.hit_key == "P1|Y|2025-01-01|M1"
    assert march.amount_involved == Decimal("30.00")
    assert json.loads(march.evidence)["count_before"] == "3"
    assert april.hit_key == "P1|Y|2025-01-01|A1"
    assert april.amount_involved == Decimal("10.00")
    assert run_hits("C12", period="2025-02") == []
    assert run_hits("C12", period="2025-01") == []
