"""The 消息 page and the header's unread count: own messages only, CSRF-signed forms."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sanjianguan.context import Context
from sanjianguan.messages import service
from sanjianguan.messages.kinds import MessageKind
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Message, User
from tests.web.pages.helpers import csrf_of, sign_in
from tests.workflow_db.fixtures import Clock, Org, seed_org


@pytest.fixture
def org(database: Database) -> Org:
    with database.sessions() as s:
        return seed_org(s)


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock, org: Org) -> Iterator[TestClient]:
    with TestClient(create_app(ctx, clock=clock, database=database), follow_redirects=False) as test_client:
        yield test_client


def send(database: Database, clock: Clock, username: str, subject: str, title: str = "新推送线索") -> int:
    with database.transaction() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        (message,) = service.notify(
            s, [user], MessageKind.NEW_CLUES, title=title, body="正文", link="/workbench", now=clock.now,
            subject=subject,
        )  # fmt: skip
        return message.id


def unread_badge(html: str) -> str | None:
    marker = 'id="unread-count" title="未读消息">'
    return html.split(marker, 1)[1].split("<", 1)[0] if marker in html else None


def test_the_header_counts_the_users_unread_messages(
    client: TestClient, database: Database, clock: Clock
) -> None:
    sign_in(client, "hospital1")
    assert unread_badge(client.get("/workbench").text) is None  # none: no badge
    send(database, clock, "hospital1", "a")
    send(database, clock, "hospital1", "b")
    send(database, clock, "hospital2", "a")
    page = client.get("/workbench").text
    assert unread_badge(page) == "2"
    assert 'href="/messages"' in page


def test_the_page_lists_own_messages_and_marks_them_read(
    client: TestClient, database: Database, clock: Clock
) -> None:
    first = send(database, clock, "hospital1", "a", "甲消息")
    send(database, clock, "hospital1", "b", "乙消息")
    send(database, clock, "hospital2", "a", "别家的消息")
    sign_in(client, "hospital1")
    page = client.get("/messages")
    assert page.status_code == 200
    assert "甲消息" in page.text
    assert "乙消息" in page.text
    assert "别家的消息" not in page.text
    token = csrf_of(page.text)
    assert client.post("/messages/read", data={"id": str(first)}).status_code == 403  # no CSRF token
    done = client.post("/messages/read", data={"id": str(first), "csrf_token": token})
    assert done.status_code == 303
    assert unread_badge(client.get("/messages").text) == "1"
    client.post("/messages/read", data={"all": "1", "csrf_token": token})
    assert unread_badge(client.get("/messages").text) is None
    with database.sessions() as s:
        other = s.scalars(select(Message).join(User).where(User.username == "hospital2")).one()
        assert other.read_at is None  # "all" is the caller's all


def test_the_settings_form_mutes_a_kind_and_refuses_a_deadline_kind(client: TestClient) -> None:
    sign_in(client, "hospital1")
    token = csrf_of(client.get("/messages").text)
    saved = client.post("/messages/preferences", data={"mute_new_clues": "1", "csrf_token": token})
    assert saved.status_code == 303
    page = client.get("/messages?saved=true").text
    assert 'name="mute_new_clues" value="1" checked' in page
    assert 'name="mute_overdue" value="1" disabled' in page
    forged = client.post("/messages/preferences", data={"mute_overdue": "1", "csrf_token": token})
    assert forged.status_code == 400
    assert "不能关闭" in forged.text
    assert 'name="mute_new_clues" value="1" checked' in forged.text  # the refusal changed nothing
