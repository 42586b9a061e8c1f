"""T03 住院天数异常: LOS > 2 × the DRG's avg_los, or > 60 days without a known DRG."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_limits(build: StoreBuilder, run_hits: RunHits, home: Path) -> None:
    build.ref(
        "ref_drg", drg_code="ES31", weight=Decimal("1"), avg_los=Decimal("4.5"), avg_cost=1, risk_group="low"
    )
    build.encounter(
        "AT", drg_code="ES31", admit="2025-03-01 08:00:00", discharge="2025-03-10 23:00:00"
    )  # 9 = 2 × 4.5
    build.encounter(
        "OVER", drg_code="ES31", admit="2025-03-01 23:59:00", discharge="2025-03-11 00:01:00"
    )  # 10
    build.encounter("NODRG", admit="2025-01-01 08:00:00", discharge="2025-03-02 08:00:00")  # 60
    build.encounter("EMPTY", drg_code="", admit="2025-01-01 08:00:00", discharge="2025-03-03 08:00:00")  # 61
    build.encounter("UNKNOWN", drg_code="XX99", admit="2025-01-01 08:00:00", discharge="2025-03-03 08:00:00")
    build.encounter("OPEN", drg_code="ES31", admit="2024-01-01 08:00:00", discharge=None)
    build.encounter(
        "VISIT", encounter_type="outpatient", admit="2024-01-01 08:00:00", discharge="2025-03-03 08:00:00"
    )

    hits = {h.hit_key: h for h in run_hits("T03")}

    assert set(hits) == {"OVER", "EMPTY", "UNKNOWN"}
    over = hits["OVER"]
    assert (over.amount_involved, str(over.event_date)) == (Decimal("0.00"), "2025-03-11")
    assert json.loads(over.evidence) == {
        "admit_day": "2025-03-01",
        "avg_los": "4.5",
        "discharge_day": "2025-03-11",
        "drg_code": "ES31",
        "los": "10",
        "los_limit": "9",
    }
    assert json.loads(hits["UNKNOWN"].evidence)["los_limit"] == "60"

    home.mkdir(parents=True, exist_ok=True)
    (home / "rules.toml").write_text(
        "[T03.params]\nlos_factor = 1.5\nmax_los_without_drg = 61\n", encoding="utf-8"
    )
    assert {h.hit_key for h in run_hits("T03")} == {"AT", "OVER"}  # 9 > 6.75
