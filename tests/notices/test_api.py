"""文书 over HTTP on SQLite and PostgreSQL: issue, list, metadata and the stored file."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from tests.notices.world import World, make_world
from tests.web.test_api import assert_bilingual, login
from tests.workflow_db.fixtures import Clock

API = "/api/v1/notices"


@pytest.fixture
def world(database: Database, clock: Clock, tmp_path: Path) -> World:
    return make_world(database, clock, tmp_path / "home")


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(ctx, clock=clock, database=database)) as test_client:
        yield test_client


def test_issue_list_and_download(client: TestClient, world: World) -> None:
    office = login(client, "county")
    made = client.post(API, json={"kind": "notification", "subject": "n1"}, headers=office)
    assert made.status_code == 201, made.text
    meta = made.json()
    assert (meta["number"], meta["recipient_id"], meta["kind"]) == (
        "翠三监告〔2026〕1号",
        "H1",
        "notification",
    )
    again = client.post(API, json={"kind": "notification", "subject": "n1"}, headers=office)
    assert again.json()["id"] == meta["id"]  # no second number

    hospital = login(client, "hospital1")
    assert [n["number"] for n in client.get(API, headers=hospital).json()] == [meta["number"]]
    assert client.get(f"{API}/{meta['id']}", headers=hospital).json()["sha256"] == meta["sha256"]
    download = client.get(f"{API}/{meta['id']}/file", headers=hospital)
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == meta["sha256"]
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert meta["number"] in unquote(download.headers["content-disposition"])

    other = login(client, "hospital2")
    assert client.get(API, headers=other).json() == []
    refused = client.get(f"{API}/{meta['id']}/file", headers=other)
    assert refused.status_code == 404
    assert_bilingual(refused.json())


def test_refusals_are_bilingual(client: TestClient, world: World) -> None:
    office = login(client, "county")
    wrong_state = client.post(API, json={"kind": "notification", "subject": "c1"}, headers=office)
    assert wrong_state.status_code == 409
    assert wrong_state.json()["detail"]["code"] == "notice_not_applicable"
    assert_bilingual(wrong_state.json())
    outside = client.post(API, json={"kind": "notification", "subject": "c2"}, headers=office)
    assert outside.status_code == 404
    unknown = client.post(API, json={"kind": "memo", "subject": "n1"}, headers=office)
    assert unknown.status_code == 422
    hospital = client.post(
        API, json={"kind": "notification", "subject": "n1"}, headers=login(client, "hospital1")
    )
    assert hospital.status_code == 403
