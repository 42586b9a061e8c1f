"""GET /api/v1/calendar/status: the office sees, from December, that next year is not loaded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sanjianguan.calendar.files import read_year_file
from sanjianguan.calendar_load import load_year
from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import PointAppeal
from tests.web.test_api import login
from tests.workflow_db.fixtures import Clock, seed_org


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock) -> Iterator[TestClient]:
    with database.sessions() as session:
        seed_org(session)
    with TestClient(create_app(ctx, clock=clock, database=database)) as test_client:
        yield test_client


def test_status_warns_from_december_until_the_year_is_loaded(
    client: TestClient, clock: Clock, database: Database
) -> None:
    clock.now = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
    headers = login(client, "county")
    november = client.get("/api/v1/calendar/status", headers=headers).json()
    assert (november["next_year_loaded"], november["warning"]) == (False, None)

    clock.now = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    headers = login(client, "county")
    december = client.get("/api/v1/calendar/status", headers=headers).json()
    assert december["current_year_loaded"] is True
    assert december["years"][-1] == 2026
    assert "2027" in december["warning"]

    with database.transaction() as session:
        load_year(session, read_year_file(Path(__file__).parent / "cal2027.csv"), user=None, now=clock.now)
    loaded = client.get("/api/v1/calendar/status", headers=headers).json()
    assert (loaded["next_year_loaded"], loaded["warning"]) == (True, None)


def test_an_appeal_decision_due_in_an_unloaded_year_is_provisional_then_recomputed(
    client: TestClient, clock: Clock, database: Database
) -> None:
    clock.now = datetime(2026, 12, 21, 2, 0, tzinfo=UTC)  # Monday 21 December, 10:00 in China
    office, hospital = login(client, "county"), login(client, "hospital1")
    body = {
        "party_kind": "staff",
        "party_id": "DOC-X",
        "institution_id": "H1",
        "item_code": "S201",
        "responsibility": "重要",
        "event_date": "2026-12-18",
        "approved_on": "2026-12-21",
        "department": "医政医管科",
        "description": "超限定条件用药",
    }
    rid = client.post("/api/v1/points/records", json=body, headers=office).json()["id"]
    notice = {"received_on": "2026-12-21"}
    assert client.post(f"/api/v1/points/records/{rid}/notice", json=notice, headers=office).status_code == 200
    filed = client.post(f"/api/v1/points/records/{rid}/appeal", json={"reason": "不服"}, headers=hospital)
    # 22-25, 28-31 (8); 2027-01-01 元旦 (fixed date), weekend; 4 (9), 5 (10)
    assert (filed.json()["decision_due"], filed.json()["decision_due_provisional"]) == ("2027-01-05", True)

    with database.transaction() as session:
        report = load_year(
            session, read_year_file(Path(__file__).parent / "cal2027.csv"), user=None, now=clock.now
        )
    assert report.recomputed == [f"points/{rid}: 2027-01-05 → 2027-01-06"]  # 1-4 January off
    with database.sessions() as session:
        appeal = session.get(PointAppeal, rid)
        assert appeal is not None
        assert (appeal.decision_due, appeal.decision_due_provisional) == (date(2027, 1, 6), False)
