"""县区月报的逾期: missing returns flagged once after the 10th, late ones listed, the city told."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sanjianguan.cases.evidence import Upload
from sanjianguan.submissions.county_returns import receive_scan, scan_store
from sanjianguan.submissions.overdue_returns import flag_missing, late_returns, missing_returns
from sanjianguan.workflow_db.connection import Database
from tests.cases.harness import PNG, Harness, make_harness
from tests.reports.county.world import at
from tests.workflow_db.fixtures import Clock


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


def test_missing_after_the_10th_flagged_once_and_late_scans_listed(h: Harness) -> None:
    with h.database.sessions() as session:
        assert [m for m in missing_returns(session, date(2026, 4, 10)) if m.period == "2026-03"] == []
    store = scan_store(h.store.root.parent, 1024)
    h.run(
        "county",
        receive_scan,
        "511502",
        "2026-03",
        Upload("附件1.png", PNG),
        store=store,
        now=at(date(2026, 4, 11)),
    )
    first = h.run(None, flag_missing, date(2026, 4, 11), now=at(date(2026, 4, 11)))
    march = {(m.region_code, m.city_code) for m in first if m.period == "2026-03"}
    assert march == {("511503", "511500"), ("510104", "510100")}  # 511502's scan came (late)
    assert h.run(None, flag_missing, date(2026, 4, 12), now=at(date(2026, 4, 12))) == []
    with h.database.sessions() as session:
        assert [s.region_code for s in late_returns(session, "2026-03")] == ["511502"]
