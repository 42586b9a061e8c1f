"""The API contract: session, scoping, expert view, 401/404, bilingual errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, Clue
from tests.workflow_db.fixtures import PASSWORD, Clock, Org, seed_org


@pytest.fixture
def org(database: Database) -> Org:
    with database.sessions() as s:
        return seed_org(s)


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock, org: Org) -> Iterator[TestClient]:
    with TestClient(create_app(ctx, clock=clock, database=database)) as test_client:
        yield test_client


def login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def assert_bilingual(response_json: dict[str, object]) -> None:
    detail = response_json["detail"]
    assert isinstance(detail, dict)
    assert {"code", "message_zh", "message_en"} <= set(detail)


def test_login_and_me(client: TestClient) -> None:
    response = client.post("/api/v1/session", json={"username": "county", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token"]
    assert body["user"]["role"] == "office"
    assert "password_hash" not in response.text
    assert client.get("/api/v1/me").json()["username"] == "county"  # cookie
    client.cookies.clear()
    assert client.get("/api/v1/me").status_code == 401
    bearer = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    assert client.delete("/api/v1/session", headers=bearer).status_code == 204
    assert client.get("/api/v1/me", headers=bearer).status_code == 401


def test_wrong_credentials_401(client: TestClient) -> None:
    for username in ("county", "nobody"):
        response = client.post("/api/v1/session", json={"username": username, "password": "wrong password!"})
        assert response.status_code == 401
        assert_bilingual(response.json())


def test_without_token_401(client: TestClient) -> None:
    for path in ("/api/v1/clues", "/api/v1/clues/c1"):
        response = client.get(path)
        assert response.status_code == 401
        assert_bilingual(response.json())
    assert client.get("/api/v1/clues", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_clue_list_is_scoped(client: TestClient) -> None:
    expected = {"province": {"c1", "c2", "c3"}, "city": {"c1", "c2"}, "county": {"c1"}, "hospital2": {"c2"}}
    for username, ids in expected.items():
        response = client.get("/api/v1/clues", params={"period": "2026-02"}, headers=login(client, username))
        assert response.status_code == 200
        body = response.json()
        assert {item["id"] for item in body["items"]} == ids
        assert body["total"] == len(ids)
        assert all({"id", "rule_id", "institution_id", "status"} <= set(item) for item in body["items"])
    empty = client.get("/api/v1/clues", params={"period": "2025-12"}, headers=login(client, "province"))
    assert empty.json() == {"items": [], "total": 0}


def test_outside_jurisdiction_is_404(client: TestClient) -> None:
    headers = login(client, "county")
    assert client.get("/api/v1/clues/c1", headers=headers).status_code == 200
    for clue_id in ("c2", "c3", "unknown"):
        response = client.get(f"/api/v1/clues/{clue_id}", headers=headers)
        assert response.status_code == 404
        assert response.json()["detail"]["code"] == "clue_not_found"


def test_expert_sees_no_identity(client: TestClient, org: Org) -> None:
    headers = login(client, "expert")
    listing = client.get("/api/v1/clues", headers=headers)
    single = client.get("/api/v1/clues/c2", headers=headers)
    assert [item["id"] for item in listing.json()["items"]] == ["c2"]
    assert listing.json()["items"][0]["institution_id"] is None
    clue = org.clues["c2"]
    secrets = [
        clue.institution_id,
        clue.department,
        clue.doctor_id,
        clue.patient_id,
        clue.encounter_id,
        "H2 医院",
        "511503",
    ]
    for text in (listing.text, single.text):
        for value in secrets:
            assert value not in text, value
    assert client.get("/api/v1/clues/c1", headers=headers).status_code == 404


def test_bad_input_is_a_bilingual_4xx_and_changes_nothing(client: TestClient, database: Database) -> None:
    with database.sessions() as s:
        before = s.execute(select(AuditEvent.seq)).scalars().all()
    response = client.post(
        "/api/v1/session", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "malformed_json"
    assert_bilingual(response.json())
    response = client.get("/api/v1/clues", params={"period": "2026-2"}, headers=login(client, "city"))
    assert response.status_code == 422
    assert_bilingual(response.json())
    assert client.get("/api/v1/nothing-here").json()["detail"]["code"] == "http_404"
    with database.sessions() as s:
        assert len(s.execute(select(AuditEvent.seq)).scalars().all()) == len(before) + 1  # the login only
        assert s.get(Clue, "c1") is not None


def test_openapi(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/session", "/api/v1/me", "/api/v1/clues", "/api/v1/clues/{clue_id}"} <= set(paths)
