"""Reporting-duty events (art. 24) and the quality report."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from sanjianguan.config import Settings
from sanjianguan.quality.record import REPORT_COLUMNS, quality_report, refresh_quality
from sanjianguan.quality.reporting_duty import find_reporting_events, record_reporting_events
from tests.analytic_store.storekit import add, rows

PERIOD = "2025-03"  # due 2025-04-05
AFTER_DUE = date(2025, 4, 10)


@pytest.fixture
def region(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Six institutions, one of each situation."""
    for inst in ("H1", "H2", "H3", "H6"):
        connected = None if inst == "H6" else date(2024, 1, 1)
        add(con, "institutions", institution_id=inst, name=f"医院{inst}", connected_on=connected)
    add(con, "institutions", institution_id="H4", name="医院H4", connected_on=None)
    add(con, "institutions", institution_id="H5", name="医院H5", connected_on=date(2025, 4, 1))
    add(con, "batches", batch_id="B1", institution_id="H1", received_at=datetime(2025, 4, 3))
    add(con, "batches", batch_id="B2", institution_id="H2", received_at=datetime(2025, 4, 8, 9))
    # H6's registry says "not connected", but it uploaded on time: it is connected.
    add(con, "batches", batch_id="B6", institution_id="H6", received_at=datetime(2025, 4, 4))
    add(con, "quality", institution_id="H1", period=PERIOD, measure="score", value=0.9)
    add(con, "quality", institution_id="H2", period=PERIOD, measure="score", value=0.95)
    return con


def recorded(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, date]]:
    return set(rows(con, "SELECT institution_id, event, event_date FROM reporting_events"))


def test_each_event_type_with_its_date(region: duckdb.DuckDBPyConnection) -> None:
    new = record_reporting_events(region, Settings(), PERIOD, AFTER_DUE)
    expected = {
        ("H1", "quality_below_threshold", AFTER_DUE),  # 0.9 < 0.95 (0.95 itself passes)
        ("H2", "late", date(2025, 4, 8)),
        ("H3", "period_missing", date(2025, 4, 5)),
        ("H4", "not_connected", date(2025, 4, 5)),
        ("H5", "not_connected", date(2025, 4, 5)),  # connected only after the month ended
    }
    assert {(e.institution_id, e.event, e.event_date) for e in new} == expected
    assert recorded(region) == expected
    late = next(e for e in new if e.event == "late")
    assert "迟报 3 天" in late.detail
    assert "3 days late" in late.detail


def test_recording_twice_adds_nothing(region: duckdb.DuckDBPyConnection) -> None:
    record_reporting_events(region, Settings(), PERIOD, AFTER_DUE)
    assert record_reporting_events(region, Settings(), PERIOD, date(2025, 4, 20)) == []
    assert rows(region, "SELECT count(*) FROM reporting_events") == [(5,)]
    # The first recording is kept: the quality event still carries its first date.
    assert ("H1", "quality_below_threshold", AFTER_DUE) in recorded(region)


def test_before_the_due_date_only_quality_counts(region: duckdb.DuckDBPyConnection) -> None:
    events = find_reporting_events(region, Settings(), PERIOD, date(2025, 4, 5))
    assert [(e.institution_id, e.event) for e in events] == [("H1", "quality_below_threshold")]


def test_missing_then_late(region: duckdb.DuckDBPyConnection) -> None:
    record_reporting_events(region, Settings(), PERIOD, date(2025, 4, 6))
    assert ("H2", "period_missing", date(2025, 4, 5)) in recorded(region)
    new = record_reporting_events(region, Settings(), PERIOD, AFTER_DUE)
    assert [(e.institution_id, e.event, e.event_date) for e in new] == [("H2", "late", date(2025, 4, 8))]


def test_due_day_comes_from_settings(region: duckdb.DuckDBPyConnection) -> None:
    settings = Settings.model_validate({"quality": {"due_day": 10, "min_score": 0.5}})
    events = find_reporting_events(region, settings, PERIOD, date(2025, 4, 11))
    assert {(e.institution_id, e.event) for e in events} == {
        ("H3", "period_missing"),
        ("H4", "not_connected"),
        ("H5", "not_connected"),
    }


def test_quality_report_rows(con: duckdb.DuckDBPyConnection) -> None:
    add(con, "institutions", institution_id="H1", name="一院", region_code="510104")
    add(con, "institutions", institution_id="H2", name="二院", region_code="510103", connected_on=None)
    add(con, "patients")
    add(con, "encounters")
    add(con, "fee_items", line_id="L1")
    add(con, "fee_items", line_id="L2", item_code=None, item_code_source=None)
    add(con, "batches", received_at=datetime(2025, 4, 7))
    refresh_quality(con, Settings(), today=AFTER_DUE)
    record_reporting_events(con, Settings(), PERIOD, AFTER_DUE)
    report = quality_report(con, PERIOD)
    assert [tuple(r) for r in report] == [REPORT_COLUMNS, REPORT_COLUMNS]
    assert report[0] == {
        "institution_id": "H2",  # region 510103 sorts first
        "name": "二院",
        "region_code": "510103",
        "completeness": None,
        "validity": None,
        "consistency": None,
        "timeliness": None,
        "volume": None,
        "mapping": None,
        "score": None,
        "events": ["not_connected"],
    }
    h1 = report[1]
    assert (h1["mapping"], h1["score"], h1["timeliness"], h1["volume"]) == (0.5, 0.875, 0.0, None)
    assert h1["events"] == ["late", "quality_below_threshold"]
