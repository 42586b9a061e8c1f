"""T02 挂床住院: ≥ 3 consecutive days (admission day to the day before discharge) without clinical charges."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def _stay(build: StoreBuilder, encounter_id: str, admit_day: int, discharge_day: int) -> None:
    build.encounter(
        encounter_id,
        admit=f"2025-03-{admit_day:02d} 09:00:00",
        discharge=f"2025-03-{discharge_day:02d} 10:00:00",
    )


def _drug(build: StoreBuilder, encounter_id: str, day: int, qty: int = 1, **kw: str) -> None:
    kw.setdefault("item_type", "drug_western")
    build.fee(encounter_id, "DRUG", f"2025-03-{day:02d} 08:00:00", qty, 5, **kw)


def test_idle_runs_and_bed_amount(build: StoreBuilder, run_hits: RunHits) -> None:
    _stay(build, "E1", 1, 10)  # days checked: 03-01 … 03-09
    beds = {}
    for day in range(1, 11):
        beds[day] = build.fee("E1", "BED", f"2025-03-{day:02d} 12:00:00", 1, 50, item_type="bed")
        build.fee("E1", "NURSE", f"2025-03-{day:02d} 12:00:00", 1, 20, item_type="nursing")
    for day in (1, 4, 8):
        _drug(build, "E1", day)
    refund = build.fee("E1", "BED", "2025-03-06 18:00:00", -1, 50, item_type="bed")
    build.fee("E1", "MISC", "2025-03-06 08:00:00", 1, 3, item_type="other")  # not clinical

    [hit] = run_hits("T02")

    # 03-02…03-03 is only 2 days; 03-05…03-07 is a run; 03-09 is 1 day.
    assert hit.hit_key == "E1"
    assert hit.amount_involved == Decimal("160.00")  # 3 × (50 + 20) − 50 refunded
    assert str(hit.event_date) == "2025-03-05"
    evidence = json.loads(hit.evidence)
    assert evidence["runs"] == ["2025-03-05/2025-03-07"]
    assert (evidence["idle_days"], evidence["longest_run"], evidence["min_days"]) == ("3", "3", "3")
    assert refund in evidence["bed_nursing_line_ids"]
    assert beds[5] in evidence["bed_nursing_line_ids"]
    assert len(evidence["bed_nursing_line_ids"]) == 7


def test_edges_of_the_stay(build: StoreBuilder, run_hits: RunHits) -> None:
    _stay(build, "SHORT", 1, 4)  # 03-02, 03-03 idle: 2 days; the discharge day does not count
    _drug(build, "SHORT", 1)
    _drug(build, "SHORT", 4)
    _stay(build, "TAIL", 1, 5)  # 03-02…03-04 idle up to the day before discharge
    _drug(build, "TAIL", 1)
    _drug(build, "TAIL", 5)
    _stay(build, "HEAD", 1, 5)  # 03-01…03-03 idle from the admission day
    _drug(build, "HEAD", 4)
    _stay(build, "REFUND", 1, 4)  # the only clinical charge is refunded on its day
    _drug(build, "REFUND", 2)
    _drug(build, "REFUND", 2, -1)
    _stay(build, "NETDAY", 1, 4)  # charged on 03-02, refunded on 03-03: 03-02 still counts
    _drug(build, "NETDAY", 2)
    _drug(build, "NETDAY", 3, -1)

    hits = {h.hit_key: json.loads(h.evidence)["runs"] for h in run_hits("T02")}

    assert hits == {
        "TAIL": ["2025-03-02/2025-03-04"],
        "HEAD": ["2025-03-01/2025-03-03"],
        "REFUND": ["2025-03-01/2025-03-03"],
    }


def test_stays_without_days_and_parameters(build: StoreBuilder, run_hits: RunHits, home: Path) -> None:
    build.encounter("OPEN", discharge=None)  # no discharge: no days to check
    build.encounter("SAME", admit="2025-03-03 08:00:00", discharge="2025-03-03 20:00:00")
    build.encounter("OUT", encounter_type="outpatient", discharge=None)
    _stay(build, "BARE", 1, 4)  # no lines at all: 3 idle days, nothing billed on them
    _stay(build, "TWO", 1, 10)
    _drug(build, "TWO", 5)  # 03-01…03-04 and 03-06…03-09

    hits = {h.hit_key: h for h in run_hits("T02")}

    assert set(hits) == {"BARE", "TWO"}
    assert hits["BARE"].amount_involved == Decimal("0.00")
    assert json.loads(hits["BARE"].evidence)["bed_nursing_line_ids"] is None
    two = json.loads(hits["TWO"].evidence)
    assert (two["runs"], two["idle_days"], two["longest_run"]) == (
        ["2025-03-01/2025-03-04", "2025-03-06/2025-03-09"],
        "8",
        "4",
    )

    home.mkdir(parents=True, exist_ok=True)
    (home / "rules.toml").write_text("[T02.params]\nmin_days = 4\n", encoding="utf-8")
    assert {h.hit_key for h in run_hits("T02")} == {"TWO"}
