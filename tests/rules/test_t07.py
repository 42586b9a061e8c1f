"""T07 费用雷同: ≥ 5 stays of one institution, month, main diagnosis and item set within 2 % of the median."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _stay(
    build: StoreBuilder,
    encounter_id: str,
    total: str,
    items: tuple[str, ...] = ("BED", "CT"),
    **kw: object,
) -> None:
    build.encounter(encounter_id, total_amount=Decimal(total), main_diagnosis="M51.202", **kw)
    for item in items:
        build.fee(encounter_id, item, "2025-03-02 10:00:00", 1)


def test_similar_stays_around_an_even_median(build: StoreBuilder, run_hits: RunHits) -> None:
    # Sorted totals 990, 1000, 1000, 1010, 1019, 1100: median 1005, 2 % = 20.1.
    for n, total in enumerate(("1000", "1019", "990", "1100", "1000", "1010"), start=1):
        _stay(build, f"A{n}", total)
    # A refunded item leaves the set: A7 still has {BED, CT} but is far from the median.
    _stay(build, "A7", "1200")
    build.fee("A7", "MRI", "2025-03-02 11:00:00", 1)
    build.fee("A7", "MRI", "2025-03-02 12:00:00", -1)

    hits = run_hits("T07")

    assert sorted(h.hit_key for h in hits) == ["A1", "A2", "A3", "A5", "A6"]
    a2 = next(h for h in hits if h.hit_key == "A2")
    assert (a2.amount_involved, str(a2.event_date), a2.doctor_id) == (0, "2025-03-05", "D1")
    assert json.loads(a2.evidence) == {
        "group_median": "1010",  # seven stays: 990 1000 1000 1010 1019 1100 1200
        "group_stays": "7",
        "item_codes": "BED|CT",
        "main_diagnosis": "M51.202",
        "similar_encounters": ["A1", "A2", "A3", "A5", "A6"],
        "similar_stays": "5",
        "tolerance": "0.02",
        "total_amount": "1019",
    }


def test_boundaries_and_groups(build: StoreBuilder, run_hits: RunHits) -> None:
    build.institution("H2")
    # Group B: median 100; 98 and 102 are exactly 2 % away (inclusive) → five hits.
    for n, total in enumerate(("100", "100", "98", "102", "100"), start=1):
        _stay(build, f"B{n}", total, items=("X", "Y"))
    # Group C: one stay has an extra item, which makes it another group → four stays only.
    for n in range(1, 6):
        _stay(build, f"C{n}", "500", items=("X", "Y", "Z") if n == 5 else ("X", "Z"))
    # Group D: five similar stays, but one at another institution and one in another month.
    for n in range(1, 6):
        kw: dict[str, object] = {}
        if n == 4:
            kw["institution_id"] = "H2"
        if n == 5:
            kw["period"] = "2025-02"
        _stay(build, f"D{n}", "700", items=("Q",), **kw)
    # Group E: 102.01 is just beyond 2 % of the median 100.
    for n, total in enumerate(("100", "100", "100", "100", "102.01"), start=1):
        _stay(build, f"E{n}", total, items=("W",))
    # Outpatient visits are not stays.
    for n in range(1, 6):
        _stay(build, f"V{n}", "50", items=("V",), encounter_type="outpatient", discharge=None)

    hits = run_hits("T07")

    assert sorted(h.hit_key for h in hits) == ["B1", "B2", "B3", "B4", "B5"]
    assert json.loads(hits[0].evidence)["group_median"] == "100"
