"""调查核实 page: the investigator's queue, the same numbers as the API's clue list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sanjianguan.workflow_db.connection import Database
from tests.cases.harness import Harness, make_harness
from tests.cases.test_verification_queue import _sampled
from tests.web.pages.helpers import sign_in
from tests.workflow_db.fixtures import Clock, Org

TOTAL = re.compile(r'id="to-verify-total">(\d+)<')
ROWS = re.compile(r'<tr data-clue="([^"]+)">')


@pytest.fixture
def h(database: Database, clock: Clock, tmp_path: Path) -> Harness:
    return make_harness(database, clock, tmp_path / "home")


@pytest.fixture
def org(h: Harness) -> Org:
    return h.org


def test_queue_numbers_equal_the_api(client: TestClient, h: Harness) -> None:
    _sampled(h)
    sign_in(client, "investigator")
    page = client.get("/verification")
    assert page.status_code == 200
    api = client.get("/api/v1/clues", params={"status": "sampled"}).json()
    found = TOTAL.search(page.text)
    assert found
    assert int(found.group(1)) == api["total"] == 2
    table = page.text.split('id="may-request"')[0]
    assert ROWS.findall(table) == [c["id"] for c in api["items"]]
    assert 'href="/clues/q1/act/verify"' in page.text
    assert 'href="/clues/q3/act/request_evidence"' in page.text
    assert 'href="/verification"' in page.text  # the nav link
    assert "H1 医院（H1）" in page.text  # an investigator sees the institution


def test_other_jurisdiction_sees_none(client: TestClient, h: Harness) -> None:
    _sampled(h)
    with h.database.transaction() as session:
        h.user(session, "investigator").region_code = "511503"
    sign_in(client, "investigator")
    page = client.get("/verification")
    assert page.status_code == 200
    assert 'id="to-verify-total">0<' in page.text
    assert "q1" not in page.text


@pytest.mark.parametrize("username", ["county", "hospital1", "expert"])
def test_roles_that_may_not_verify_get_403_and_no_link(client: TestClient, h: Harness, username: str) -> None:
    sign_in(client, username)
    assert client.get("/verification").status_code == 403
    assert 'href="/verification"' not in client.get("/password").text
