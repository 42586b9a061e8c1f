"""Idle expiry of page sessions (`[access] idle_minutes`, default 30), on the app's clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent
from tests.web.pages.helpers import sign_in
from tests.workflow_db.fixtures import Clock, Org


def test_a_session_unused_for_the_idle_time_ends(
    client: TestClient, clock: Clock, database: Database
) -> None:
    sign_in(client, "county")
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200  # used: the idle time starts again
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    clock.advance(minutes=31)
    expired = client.get("/")
    assert expired.status_code == 303
    assert expired.headers["location"] == "/login?idle=1"
    notice = client.get(expired.headers["location"])
    assert "长时间未操作，已自动退出，请重新登录" in notice.text
    assert client.get("/api/v1/me").status_code == 401  # the session is ended, not just hidden
    with database.sessions() as session:
        names = list(session.execute(select(AuditEvent.event)).scalars())
    assert "session.idle_expired" in names


def test_the_idle_time_is_configured(
    home: Path, database: Database, clock: Clock, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SJG__ACCESS__IDLE_MINUTES", "5")
    app = create_app(Context.open(home), clock=clock, database=database)
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, "county")
        clock.advance(minutes=4)
        assert client.get("/").status_code == 200
        clock.advance(minutes=6)
        assert client.get("/").status_code == 303
