"""审计 page: the log of the user's jurisdiction, searchable and paged, and the chain's state on top."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sanjianguan.access.audit_scope import audit_filter
from sanjianguan.cases import service
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent
from tests.audit.test_chain import _tamper
from tests.cases.harness import Harness, make_harness
from tests.cases.test_verification_queue import _sampled
from tests.web.pages.helpers import sign_in
from tests.workflow_db.fixtures import Clock, Org

TOTAL = re.compile(r'id="audit-total">(\d+)<')
SEQS = re.compile(r'<tr data-seq="(\d+)"')


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    harness = make_harness(database, clock, tmp_path / "home")
    _sampled(harness)
    harness.run("province", service.push_period, "2026-02", "510104", now=clock.now)
    return harness


@pytest.fixture
def org(h: Harness) -> Org:
    return h.org


def _visible(h: Harness, username: str) -> list[int]:
    with h.database.sessions() as session:
        query = select(AuditEvent.seq).where(audit_filter(h.user(session, username)))
        return sorted(session.execute(query).scalars(), reverse=True)


def _total(text: str) -> int:
    found = TOTAL.search(text)
    assert found
    return int(found.group(1))


@pytest.mark.parametrize("username", ["auditor", "county"])
def test_the_page_lists_the_events_of_the_jurisdiction(client: TestClient, h: Harness, username: str) -> None:
    sign_in(client, username)
    page = client.get("/audit")
    assert page.status_code == 200
    assert 'id="chain-intact"' in page.text
    assert 'href="/audit"' in page.text  # the nav link
    expected = _visible(h, username)  # the login itself is an event of the user
    assert _total(page.text) == len(expected)
    assert [int(s) for s in SEQS.findall(page.text)] == expected[:50]
    if username == "county":
        assert "2026-02/510104" not in page.text


def test_filters_and_paging(client: TestClient, h: Harness) -> None:
    sign_in(client, "auditor")
    pushed = client.get("/audit", params={"event": "case.pushed"})
    assert _total(pushed.text) == 2
    assert 'value="case.pushed" selected' in pushed.text
    one = client.get("/audit", params={"subject": "q1"})
    with h.database.sessions() as session:
        q1 = session.execute(select(AuditEvent.seq).where(AuditEvent.subject_id == "q1")).scalars().all()
    assert _total(one.text) == len(q1)
    by_actor = client.get(
        "/audit", params={"actor": "hospital1", "since": "2026-03-16", "until": "2026-03-16"}
    )
    assert _total(by_actor.text) >= 3  # its login and three self-checks
    assert set(re.findall(r"<td>2026-03-16 \d\d:\d\d</td><td>([^<]+)</td>", by_actor.text)) == {"hospital1"}
    assert _total(client.get("/audit", params={"since": "2026-03-17", "until": "2026-03-31"}).text) == 0
    first = client.get("/audit")
    if _total(first.text) > 50:
        assert 'id="next-page"' in first.text
        second = client.get("/audit", params={"page": 2})
        assert SEQS.findall(second.text)[0] != SEQS.findall(first.text)[0]


def test_a_bad_date_is_shown_by_its_field_and_kept(client: TestClient, h: Harness) -> None:
    sign_in(client, "auditor")
    page = client.get("/audit", params={"since": "2026-13-01", "actor": "county"})
    assert page.status_code == 400
    assert 'id="f-since-error"' in page.text
    assert 'aria-describedby="f-since-error"' in page.text
    assert 'value="2026-13-01"' in page.text
    assert 'value="county"' in page.text
    reversed_ = client.get("/audit", params={"since": "2026-03-10", "until": "2026-03-01"})
    assert reversed_.status_code == 400
    assert 'id="f-until-error"' in reversed_.text


def test_a_broken_chain_is_shown_with_its_first_broken_link(
    client: TestClient, h: Harness, database: Database
) -> None:
    _tamper(database, "UPDATE audit_events SET reason = 'x' WHERE seq = 3")
    sign_in(client, "auditor")
    page = client.get("/audit")
    assert 'id="chain-broken"' in page.text
    assert 'data-seq="3"' in page.text
    assert 'id="checked-at">2026-03-16 17:00<' in page.text


@pytest.mark.parametrize("username", ["hospital1", "expert", "investigator"])
def test_roles_without_the_permission_get_403_and_no_link(
    client: TestClient, h: Harness, username: str
) -> None:
    sign_in(client, username)
    assert client.get("/audit").status_code == 403
    assert 'href="/audit"' not in client.get("/password").text
