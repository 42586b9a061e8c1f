"""An unexpected error in a route is a bilingual 500 with an error id, logged in the data folder."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sanjianguan.clues.queries import ClueFilter
from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.web.routes import clues as clue_routes
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import User
from tests.web.test_api import login
from tests.workflow_db.fixtures import Clock, seed_org

ERROR_ID = re.compile(r"E-\d{8}-[0-9a-f]{6}")


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock) -> Iterator[TestClient]:
    with database.sessions() as session:
        seed_org(session)
    ctx.home.mkdir(parents=True, exist_ok=True)
    app = create_app(ctx, clock=clock, database=database)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_failing_service_is_a_500_with_an_error_id(
    client: TestClient, ctx: Context, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("boom: the clue query failed")

    headers = login(client, "county")
    assert client.get("/api/v1/clues", headers=headers).status_code == 200
    monkeypatch.setattr(clue_routes, "list_clues", broken)
    response = client.get("/api/v1/clues", params={"period": "2026-02"}, headers=headers)

    assert response.status_code == 500
    detail = response.json()["detail"]
    assert detail["code"] == "internal_error"
    error_id = detail["error_id"]
    assert ERROR_ID.fullmatch(error_id)
    assert error_id.startswith(f"E-{clock.now:%Y%m%d}-")  # the app's clock, not the machine's
    assert detail["message_zh"] == f"内部错误，请联系运维人员并提供错误编号 {error_id}"
    assert error_id in detail["message_en"]
    assert "boom" not in response.text
    assert "Traceback" not in response.text

    log = (ctx.home / "logs" / "sjg.log").read_text(encoding="utf-8")
    entry = log[log.index(error_id) :]
    assert "GET /api/v1/clues" in entry
    assert "Traceback (most recent call last)" in entry
    assert "RuntimeError: boom: the clue query failed" in entry


def test_each_error_gets_its_own_id(
    client: TestClient, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_session: object, _user: User, _filter: ClueFilter, **_kwargs: object) -> object:
        raise ZeroDivisionError("division by zero")

    headers = login(client, "county")
    monkeypatch.setattr(clue_routes, "list_clues", broken)
    ids = {client.get("/api/v1/clues", headers=headers).json()["detail"]["error_id"] for _ in range(3)}
    assert len(ids) == 3
    log = (ctx.home / "logs" / "sjg.log").read_text(encoding="utf-8")
    assert all(error_id in log for error_id in ids)
