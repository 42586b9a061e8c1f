"""E01 重复检查: the same exam item for the same patient again within its repeat window."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _exam(
    build: StoreBuilder, encounter_id: str, item: str, at: str, qty: int = 1, price: str = "120"
) -> str:
    return build.fee(encounter_id, item, at, qty, price, item_type="exam")


def _visit(build: StoreBuilder, encounter_id: str, day: str, **kw: str) -> None:
    build.encounter(encounter_id, admit=f"{day} 09:00:00", discharge=None, encounter_type="outpatient", **kw)


def test_window_edges(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("CT", repeat_window_days=None).item("US", repeat_window_days=3)
    _visit(build, "E1", "2025-03-01")
    _visit(build, "E2", "2025-03-08")
    _visit(build, "E3", "2025-03-16")
    _visit(build, "E4", "2025-03-05")
    first = _exam(build, "E1", "CT", "2025-03-01 23:59:00")
    second = _exam(build, "E2", "CT", "2025-03-08 00:01:00", 2, "150.5")  # 7 days: within the default
    _exam(build, "E3", "CT", "2025-03-16 08:00:00")  # 8 days after 03-08: not a repeat
    _exam(build, "E1", "US", "2025-03-01 10:00:00")
    _exam(build, "E4", "US", "2025-03-05 10:00:00")  # 4 days > the item's 3

    [hit] = run_hits("E01")

    assert (hit.hit_key, hit.encounter_id, hit.related_encounter_id) == ("E2|CT", "E2", "E1")
    assert hit.amount_involved == Decimal("301.00")
    assert str(hit.event_date) == "2025-03-08"
    assert json.loads(hit.evidence) == {
        "charge_day": "2025-03-08",
        "days_apart": "7",
        "earlier_charge_day": "2025-03-01",
        "earlier_institution_id": "H1",
        "earlier_line_id": first,
        "item_code": "CT",
        "line_ids": [second],
        "mutual_recognition": False,
        "window_days": "7",
    }


def test_across_institutions_only_for_mutual_recognition(build: StoreBuilder, run_hits: RunHits) -> None:
    build.institution("H2").item("MR", mutual_recognition=True).item("NM", mutual_recognition=False)
    _visit(build, "A1", "2025-03-01")
    _visit(build, "B1", "2025-03-03", institution_id="H2")
    _visit(build, "B2", "2025-03-04", institution_id="H2")
    for item in ("MR", "NM"):
        _exam(build, "A1", item, "2025-03-01 10:00:00")
        _exam(build, "B1", item, "2025-03-03 10:00:00")
    _exam(build, "B2", "NM", "2025-03-04 10:00:00")  # same institution as B1: a repeat

    hits = {h.hit_key: h for h in run_hits("E01")}

    assert set(hits) == {"B1|MR", "B2|NM"}
    assert (hits["B1|MR"].related_encounter_id, hits["B1|MR"].institution_id) == ("A1", "H2")
    assert json.loads(hits["B1|MR"].evidence)["earlier_institution_id"] == "H1"
    assert hits["B2|NM"].related_encounter_id == "B1"


def test_same_encounter_refunds_and_look_back(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("CT").item("MRI")
    build.encounter("IN1")  # 03-01 → 03-05
    _exam(build, "IN1", "CT", "2025-03-01 10:00:00")
    again = _exam(build, "IN1", "CT", "2025-03-01 15:00:00")  # same day, same stay: a repeat
    # R1: charged and refunded in full → no exam; R2 three days later is a first exam.
    _visit(build, "R1", "2025-03-20")
    _visit(build, "R2", "2025-03-23")
    _exam(build, "R1", "CT", "2025-03-20 10:00:00")
    _exam(build, "R1", "CT", "2025-03-20 11:00:00", -1)
    _exam(build, "R2", "CT", "2025-03-23 10:00:00")
    # Look-back: an exam settled in February, repeated on 03-27.
    _visit(build, "FEB", "2025-02-28", period="2025-02")
    _visit(build, "M1", "2025-03-07")
    _exam(build, "FEB", "MRI", "2025-03-01 10:00:00")  # charged late, settled in February
    _exam(build, "M1", "MRI", "2025-03-08 10:00:00")

    hits = {h.hit_key: h for h in run_hits("E01")}

    assert set(hits) == {"IN1|CT", "M1|MRI"}
    assert hits["IN1|CT"].related_encounter_id == "IN1"
    assert json.loads(hits["IN1|CT"].evidence)["line_ids"] == [again]
    assert hits["M1|MRI"].related_encounter_id == "FEB"
    assert run_hits("E01", period="2025-02") == []  # the later exam is the hit


def test_equal_times_pair_in_id_order(build: StoreBuilder, run_hits: RunHits) -> None:
    build.item("CT")
    _visit(build, "V1", "2025-03-02")
    _visit(build, "V2", "2025-03-02")
    _visit(build, "V3", "2025-03-04")
    _exam(build, "V2", "CT", "2025-03-02 00:00:00")  # date precision only
    _exam(build, "V1", "CT", "2025-03-02 00:00:00")
    _exam(build, "V3", "CT", "2025-03-04 08:00:00")
    _exam(build, "V3", "CT", "2025-03-04 09:00:00")

    hits = {h.hit_key: h for h in run_hits("E01")}

    assert {k: h.related_encounter_id for k, h in hits.items()} == {"V2|CT": "V1", "V3|CT": "V2"}
    assert hits["V3|CT"].amount_involved == Decimal("240.00")  # both V3 lines repeat
