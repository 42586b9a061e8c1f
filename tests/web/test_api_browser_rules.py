"""The API under a browser's cookie: writes need the CSRF header, and a handed-out password
must be changed (`PUT /api/v1/me/password`) before anything else is allowed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sanjianguan.access import users
from sanjianguan.context import Context
from sanjianguan.web import csrf
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, Role
from tests.workflow_db.fixtures import PASSWORD, Clock, sample_clue, seed_org

NEW = "a brand new passphrase"
PUSH = "/api/v1/periods/2026-02/push"


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock) -> Iterator[TestClient]:
    with database.sessions() as session:
        seed_org(session)
    with database.transaction() as session:
        session.add(sample_clue("c9", "H1", "511502", period="2026-02"))
    with TestClient(create_app(ctx, clock=clock, database=database)) as test_client:
        yield test_client


def _login(client: TestClient, username: str) -> str:
    response = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def _pushes(database: Database) -> int:
    with database.sessions() as session:
        return session.query(AuditEvent).filter(AuditEvent.event == "case.pushed").count()


def test_a_cookie_write_without_the_csrf_header_is_refused(client: TestClient, database: Database) -> None:
    token = _login(client, "county")  # the cookie is set too
    refused = client.post(PUSH, json={"region_code": "511502"})
    assert refused.status_code == 403
    assert refused.json()["detail"]["code"] == "csrf_refused"
    wrong = client.post(PUSH, json={"region_code": "511502"}, headers={csrf.HEADER: "x" * 64})
    assert wrong.status_code == 403
    assert _pushes(database) == 0
    ok = client.post(PUSH, json={"region_code": "511502"}, headers={csrf.HEADER: csrf.session_token(token)})
    assert ok.status_code == 200, ok.text
    assert _pushes(database) == 1


def test_a_bearer_write_needs_no_csrf_header(client: TestClient) -> None:
    token = _login(client, "county")
    client.cookies.clear()
    response = client.post(PUSH, json={"region_code": "511502"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text


def test_a_cookie_read_needs_no_csrf_header(client: TestClient) -> None:
    _login(client, "county")
    assert client.get("/api/v1/clues").status_code == 200


def test_a_handed_out_password_must_be_changed_through_the_api_first(
    client: TestClient, database: Database
) -> None:
    with database.transaction() as session:
        users.create_user(
            session,
            username="newcounty",
            password=PASSWORD,
            role=Role.OFFICE,
            region_code="511502",
            must_change_password=True,
        )
    bearer = {"Authorization": f"Bearer {_login(client, 'newcounty')}"}
    client.cookies.clear()
    refused = client.get("/api/v1/clues", headers=bearer)
    assert refused.status_code == 403
    assert refused.json()["detail"]["code"] == "password_change_required"
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    body = {"current_password": "wrong password!", "new_password": NEW}
    wrong = client.put("/api/v1/me/password", json=body, headers=bearer)
    assert (wrong.status_code, wrong.json()["detail"]["code"]) == (400, "wrong_password")
    same = {"current_password": PASSWORD, "new_password": PASSWORD}
    assert client.put("/api/v1/me/password", json=same, headers=bearer).json()["detail"]["code"] in {
        "same_password",
        "weak_password",
    }
    changed = client.put(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW}, headers=bearer
    )
    assert changed.status_code == 204, changed.text
    assert client.get("/api/v1/me", headers=bearer).status_code == 401  # every session ended
    response = client.post("/api/v1/session", json={"username": "newcounty", "password": NEW})
    client.cookies.clear()
    again = {"Authorization": f"Bearer {response.json()['token']}"}
    assert client.get("/api/v1/clues", headers=again).status_code == 200
