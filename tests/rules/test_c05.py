"""C05 超天数收费: net quantity of a per-day item over the whole stay > LOS."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _bed_days(build: StoreBuilder, encounter_id: str, days: int, price: str = "40") -> None:
    for day in range(1, days + 1):
        build.fee(encounter_id, "BED", f"2025-03-{day:02d} 12:00:00", 1, price, item_type="bed")


def test_fires_on_the_excess(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("BED", per_day_billing=True).encounter("E1")  # 03-01 → 03-05: LOS 4
    _bed_days(build, "E1", 6)

    [hit] = run_hits("C05")

    assert hit.hit_key == "E1|BED"
    assert hit.amount_involved == Decimal("80.00")  # (6 − 4) × 40
    assert str(hit.event_date) == "2025-03-05"
    evidence = json.loads(hit.evidence)
    assert (evidence["los"], evidence["net_quantity"], len(evidence["line_ids"])) == ("4", "6", 6)


def test_refunds_net_over_the_stay(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("BED", per_day_billing=True).encounter("E1")
    _bed_days(build, "E1", 6)
    build.fee("E1", "BED", "2025-03-06 09:00:00", -2, 40, item_type="bed")

    assert run_hits("C05") == []


def test_same_day_stay_counts_one_day(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("BED", per_day_billing=True)
    build.encounter("E1", admit="2025-03-03 08:00:00", discharge="2025-03-03 18:00:00")
    build.encounter("E2", admit="2025-03-03 08:00:00", discharge="2025-03-03 18:00:00")
    build.fee("E1", "BED", "2025-03-03 12:00:00", 1)
    build.fee("E2", "BED", "2025-03-03 12:00:00", 2, "55.5")

    [hit] = run_hits("C05")

    assert (hit.encounter_id, hit.amount_involved) == ("E2", Decimal("55.50"))


def test_midnight_discharge_counts_calendar_days(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("BED", per_day_billing=True)
    build.encounter("E1", admit="2025-03-01 23:59:00", discharge="2025-03-02 00:01:00")  # LOS 1
    build.fee("E1", "BED", "2025-03-01 23:59:00", 1)
    build.fee("E1", "BED", "2025-03-02 00:00:00", 1)

    [hit] = run_hits("C05")

    assert hit.amount_involved == Decimal("10.00")


def test_does_not_fire_outside_its_scope(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("BED", per_day_billing=True).item("NURSE")
    build.encounter("E1").encounter("E2", encounter_type="outpatient", discharge=None)
    build.encounter("E3", discharge=None)  # no discharge: no LOS (R05's case)
    _bed_days(build, "E2", 3)
    _bed_days(build, "E3", 9)
    for day in range(1, 10):
        build.fee("E1", "NURSE", f"2025-03-{day:02d} 12:00:00", 1)  # not a per-day item

    assert run_hits("C05") == []
