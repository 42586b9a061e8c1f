"""消息中心 over HTTP: each user reads, marks and mutes its own messages only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sanjianguan.context import Context
from sanjianguan.messages import service
from sanjianguan.messages.kinds import MessageKind
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import User
from tests.web.test_api import assert_bilingual, login
from tests.workflow_db.fixtures import Clock, Org, seed_org

API = "/api/v1/messages"


@pytest.fixture
def org(database: Database) -> Org:
    with database.sessions() as s:
        return seed_org(s)


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock, org: Org) -> Iterator[TestClient]:
    with TestClient(create_app(ctx, clock=clock, database=database)) as test_client:
        yield test_client


def send(database: Database, clock: Clock, username: str, subject: str) -> int:
    with database.transaction() as s:
        user = s.query(User).filter_by(username=username).one()
        (message,) = service.notify(
            s, [user], MessageKind.NEW_CLUES, title=f"标题{subject}", body="正文", link="/workbench",
            now=clock.now, subject=subject,
        )  # fmt: skip
        return message.id


def test_list_and_mark_read_are_the_callers_own(client: TestClient, database: Database, clock: Clock) -> None:
    mine = [send(database, clock, "hospital1", s) for s in ("a", "b")]
    theirs = send(database, clock, "hospital2", "a")
    h1 = login(client, "hospital1")
    listed = client.get(API, headers=h1).json()
    assert [m["id"] for m in listed["items"]] == mine[::-1]
    assert listed["unread"] == 2
    assert listed["items"][0]["title"] == "标题b"
    marked = client.post(f"{API}/read", json={"ids": [mine[0], theirs, 999999]}, headers=h1)
    assert marked.status_code == 200, marked.text
    assert marked.json() == {"marked": 1, "unread": 1}
    unread = client.get(API, params={"unread_only": "true"}, headers=h1).json()
    assert [m["id"] for m in unread["items"]] == [mine[1]]
    h2 = login(client, "hospital2")
    other = client.get(API, headers=h2).json()
    assert [m["id"] for m in other["items"]] == [theirs]
    assert other["unread"] == 1  # hospital1's call did not read hospital2's message
    assert client.get(API).status_code == 401
    huge = client.post(f"{API}/read", json={"ids": [mine[1], 2**63]}, headers=h1)  # beyond the store's ints
    assert huge.status_code == 422
    assert huge.json()["detail"]["code"] == "invalid_request"


def test_preferences_mute_a_kind_and_refuse_the_deadline_kinds(
    client: TestClient, database: Database, clock: Clock
) -> None:
    h1 = login(client, "hospital1")
    kinds = client.get(f"{API}/preferences", headers=h1).json()["kinds"]
    assert {k["kind"]: k["mutable"] for k in kinds}["overdue"] is False
    assert not any(k["muted"] for k in kinds)
    put = client.put(f"{API}/preferences", json={"muted": ["new_clues"]}, headers=h1)
    assert put.status_code == 200, put.text
    assert [k["kind"] for k in put.json()["kinds"] if k["muted"]] == ["new_clues"]
    refused = client.put(f"{API}/preferences", json={"muted": ["deadline_soon"]}, headers=h1)
    assert refused.status_code == 400
    assert_bilingual(refused.json())
    assert refused.json()["detail"]["code"] == "unmutable_kind"
    with database.transaction() as s:
        users = s.query(User).filter(User.username.in_(["hospital1", "hospital2"])).all()
        sent = service.notify(
            s, users, MessageKind.NEW_CLUES, title="t", body="b", link=None, now=clock.now, subject="x"
        )
        assert [u.username for u in users if u.id in {m.user_id for m in sent}] == ["hospital2"]
    h2 = login(client, "hospital2")  # hospital1's setting is its own
    assert not any(k["muted"] for k in client.get(f"{API}/preferences", headers=h2).json()["kinds"])
    assert client.put(f"{API}/preferences", json={"muted": ["nonsense"]}, headers=h1).status_code == 422
