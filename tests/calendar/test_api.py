"""GET /api/v1/calendar/status: the office sees, from December, that next year is not loaded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sanjianguan.calendar.files import read_year_file
from sanjianguan.calendar.store import load_year
from sanjianguan.context import Context
from sanjianguan.db.engine import Database
from sanjianguan.web.app import create_app
from tests.db.fixtures import Clock, seed_org
from tests.web.test_api import login


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
