"""C13 收费跨期: settlement day − charge day > 180 days."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits


def test_settlement_day_fallbacks(build: StoreBuilder, run_hits: RunHits) -> None:
    # 2024-09-01 → 2025-03-01 is 181 days.
    build.encounter(
        "S1", admit="2024-09-01 08:00:00", discharge="2025-02-20 08:00:00", settled_at="2025-03-01 23:00:00"
    )
    old = build.fee("S1", "X", "2024-09-01 23:59:59", 2, "7.5")
    build.fee("S1", "X", "2024-09-02 00:00:00")  # exactly 180 days
    # No settled_at: the discharge day.
    build.encounter("S2", admit="2024-09-01 08:00:00", discharge="2025-03-01 08:00:00")
    by_discharge = build.fee("S2", "X", "2024-09-01 09:00:00")
    build.fee("S2", "Y", "2024-09-01 09:00:00")  # refunded in full
    build.fee("S2", "Y", "2025-02-01 09:00:00", -1)
    # Neither: the admission day.
    build.encounter("O1", admit="2025-03-02 08:00:00", discharge=None, encounter_type="outpatient")
    by_admit = build.fee("O1", "X", "2024-09-02 09:00:00")

    hits = {h.hit_key: h for h in run_hits("C13")}

    assert set(hits) == {f"S1|{old}", f"S2|{by_discharge}", f"O1|{by_admit}"}
    hit = hits[f"S1|{old}"]
    assert hit.amount_involved == Decimal("15.00")
    assert str(hit.event_date) == "2024-09-01"
    assert json.loads(hit.evidence) == {
        "charge_day": "2024-09-01",
        "days": "181",
        "item_code": "X",
        "line_id": old,
        "max_days": "180",
        "quantity": "2",
        "settlement_day": "2025-03-01",
    }


def test_regional_limit(build: StoreBuilder, run_hits: RunHits, home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "rules.toml").write_text("[C13.params]\nmax_days = 30\n", encoding="utf-8")
    build.encounter("S1", admit="2025-01-30 08:00:00", discharge="2025-03-01 08:00:00")
    build.fee("S1", "X", "2025-01-30 09:00:00")  # 30 days
    late = build.fee("S1", "X", "2025-01-29 09:00:00")  # 31 days (before admission: R04's too)

    assert [h.hit_key for h in run_hits("C13")] == [f"S1|{late}"]
