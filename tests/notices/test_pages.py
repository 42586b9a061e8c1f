"""文书 in the browser: the buttons where the action happens, the list, the issue form, downloads."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from tests.notices.world import World, make_world
from tests.web.pages.helpers import page_csrf, sign_in
from tests.workflow_db.fixtures import Clock


@pytest.fixture
def world(database: Database, clock: Clock, tmp_path: Path) -> World:
    return make_world(database, clock, tmp_path / "home")


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(ctx, clock=clock, database=database), follow_redirects=False) as test_client:
        yield test_client


def issue(client: TestClient, kind: str, subject: str) -> str:
    """Post an issue form as the page does; the list page it lands on."""
    token = page_csrf(client, "/documents")
    done = client.post("/documents/issue", data={"csrf_token": token, "kind": kind, "subject": subject})
    assert done.status_code == 303, done.text
    page = client.get(done.headers["location"])
    assert page.status_code == 200
    return page.text


def test_clue_page_offers_the_applicable_notices_then_links_them(client: TestClient) -> None:
    sign_in(client, "county")
    page = client.get("/clues/n1").text
    for kind in ("verification", "adjudication", "notification", "rectification"):
        assert f'data-action="notice-{kind}"' in page, kind
    assert "出具告知书" in page
    bare = client.get("/clues/c1").text  # nothing decided, verified or ruled: no button
    assert 'data-action="notice-' not in bare
    listed = issue(client, "notification", "n1")
    assert "已出具：不合理问题告知书 翠三监告〔2026〕1号" in listed
    again = client.get("/clues/n1").text
    assert 'data-action="notice-notification"' not in again
    assert "下载 翠三监告〔2026〕1号" in again


def test_accountability_and_points_pages_carry_their_buttons(client: TestClient, world: World) -> None:
    sign_in(client, "county")
    proposals = client.get("/accountability").text
    assert 'data-action="notice-accountability"' in proposals
    points = client.get("/points").text
    assert points.count('data-action="notice-points"') == 2  # staff (附件3) and institution (附件2)
    listed = issue(client, "points", world.staff_points)
    assert "医务人员不良执业行为记分通知书" in listed


def test_recipient_lists_and_downloads_another_institution_cannot(client: TestClient, world: World) -> None:
    sign_in(client, "county")
    listed = issue(client, "interview", world.interview)
    notice_id = re.search(r'href="/documents/(\d+)/file"', listed)
    assert notice_id is not None
    issued_file = client.get(f"/documents/{notice_id.group(1)}/file").content
    client.cookies.clear()
    sign_in(client, "hospital1")
    page = client.get("/documents").text
    assert "翠三监谈〔2026〕1号" in page
    assert 'id="notice-issue"' not in page  # an institution receives, it does not issue
    download = client.get(f"/documents/{notice_id.group(1)}/file")
    assert download.status_code == 200
    assert hashlib.sha256(download.content).digest() == hashlib.sha256(issued_file).digest()
    client.cookies.clear()
    sign_in(client, "hospital2")
    assert "翠三监谈" not in client.get("/documents").text
    assert client.get(f"/documents/{notice_id.group(1)}/file").status_code == 404


def test_a_refused_issue_is_a_page_with_the_reason(client: TestClient) -> None:
    sign_in(client, "county")
    token = page_csrf(client, "/documents")
    refused = client.post(
        "/documents/issue", data={"csrf_token": token, "kind": "notification", "subject": "c1"}
    )
    assert refused.status_code == 409
    assert "告知书不能出具" in refused.text
    forged_form = {"csrf_token": "x", "kind": "notification", "subject": "n1"}
    forged = client.post("/documents/issue", data=forged_form)
    assert forged.status_code == 403
