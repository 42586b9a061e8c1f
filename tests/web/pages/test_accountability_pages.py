"""责任追究 page: the API's proposals per jurisdiction; confirm and reject forms, audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AccountabilityProposal, AuditEvent
from tests.web.pages.helpers import page_csrf, sign_in
from tests.workflow_db.fixtures import Org

ROW = re.compile(r'<tr id="proposal-(\d+)" data-status="([a-z]+)">')
WHEN = datetime(2026, 3, 1, tzinfo=UTC)


def _proposal(key: str, institution: str, region: str, *, article: str = "17") -> AccountabilityProposal:
    return AccountabilityProposal(
        key=key,
        row_id="doctor-3",
        article=article,
        subject_kind="doctor",
        subject_id=f"{institution}/D1",
        institution_id=institution,
        region_code=region,
        department="内科",
        doctor_id="D1",
        year=2026,
        window="year",
        period="2026",
        threshold=3,
        times=3,
        action="约谈",
        evidence=[{"period": "2026-01", "refs": ["a1"]}],
        self_reported=False,
        status="proposed",
        mitigation="none",
        proposed_at=WHEN,
        updated_at=WHEN,
    )


@pytest.fixture
def proposals(database: Database, org: Org) -> dict[str, int]:
    with database.transaction() as s:
        rows = {
            "h1": _proposal("k1", "H1", "511502"),
            "h1b": _proposal("k2", "H1", "511502", article="18"),
            "h2": _proposal("k3", "H2", "511503"),
        }
        s.add_all(rows.values())
        s.flush()
        return {name: row.id for name, row in rows.items()}


def _page_ids(client: TestClient, query: str = "") -> list[int]:
    response = client.get("/accountability" + query)
    assert response.status_code == 200, response.text
    return [int(i) for i, _ in ROW.findall(response.text)]


def _api_ids(client: TestClient, query: str = "") -> list[int]:
    response = client.get("/api/v1/accountability/proposals" + query)
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()]


def _status(database: Database, proposal_id: int) -> str:
    with database.sessions() as s:
        row = s.get(AccountabilityProposal, proposal_id)
        assert row is not None
        return str(row.status)


def _events(database: Database, name: str) -> list[AuditEvent]:
    with database.sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.event == name)))


def test_the_list_equals_the_api_for_each_jurisdiction(client: TestClient, proposals: dict[str, int]) -> None:
    seen = {}
    for username in ("city", "county", "hospital2", "auditor"):
        client.cookies.clear()
        sign_in(client, username)
        for query in ("", "?article=18", "?status=proposed&year=2026", "?institution_id=H2"):
            assert _page_ids(client, query) == _api_ids(client, query), (username, query)
        seen[username] = set(_page_ids(client))
    assert seen["county"] == {proposals["h1"], proposals["h1b"]}
    assert seen["city"] == set(proposals.values())
    assert seen["hospital2"] == {proposals["h2"]}


def test_forms_only_for_the_office_and_no_page_for_others(
    client: TestClient, proposals: dict[str, int]
) -> None:
    sign_in(client, "hospital1")
    page = client.get("/accountability").text
    assert "/confirm" not in page
    assert "/reject" not in page
    client.cookies.clear()
    sign_in(client, "investigator")
    assert client.get("/accountability").status_code == 403
    assert 'href="/accountability"' not in client.get("/").text


def test_a_bad_filter_is_named_next_to_its_field(client: TestClient, proposals: dict[str, int]) -> None:
    sign_in(client, "county")
    response = client.get("/accountability?year=20x6&status=nope")
    assert response.status_code == 400
    assert 'id="f-year-error">年度应为' in response.text
    assert 'id="f-status-error">' in response.text
    assert 'value="20x6"' in response.text


def test_confirm_then_a_repeat_is_explained(
    client: TestClient, database: Database, proposals: dict[str, int]
) -> None:
    sign_in(client, "county")
    token = page_csrf(client, "/accountability")
    target = proposals["h1"]
    form = {"csrf_token": token, "mitigation": "none", "reason": ""}
    done = client.post(f"/accountability/{target}/confirm", data=form)
    assert done.status_code == 303
    assert done.headers["location"] == "/accountability?done=confirmed"
    assert 'id="done">追责建议已确认' in client.get(done.headers["location"]).text
    assert _status(database, target) == "confirmed"
    (event,) = _events(database, "accountability.confirmed")
    assert event.subject_id == str(target)
    again = client.post(f"/accountability/{target}/confirm", data=form)
    assert again.status_code == 409
    assert "不能再处理" in again.text
    assert "请按页面上现在显示的状态" in again.text
    assert len(_events(database, "accountability.confirmed")) == 1


def test_reject_needs_a_reason_kept_next_to_the_field(
    client: TestClient, database: Database, proposals: dict[str, int]
) -> None:
    sign_in(client, "county")
    token = page_csrf(client, "/accountability")
    target = proposals["h1b"]
    blank = client.post(f"/accountability/{target}/reject", data={"csrf_token": token, "reason": "  "})
    assert blank.status_code == 400
    assert f'id="reject-reason-{target}-error">驳回须说明理由' in blank.text
    lighter = client.post(
        f"/accountability/{target}/confirm", data={"csrf_token": token, "mitigation": "lighter", "reason": ""}
    )
    assert lighter.status_code == 400
    assert f'id="confirm-reason-{target}-error">' in lighter.text
    assert _status(database, target) == "proposed"
    done = client.post(f"/accountability/{target}/reject", data={"csrf_token": token, "reason": "证据不足"})
    assert done.status_code == 303
    assert _status(database, target) == "rejected"
    (event,) = _events(database, "accountability.rejected")
    assert event.reason == "证据不足"


def test_csrf_and_scope(client: TestClient, database: Database, proposals: dict[str, int]) -> None:
    sign_in(client, "county")
    token = page_csrf(client, "/accountability")
    assert client.post(f"/accountability/{proposals['h1']}/reject", data={"reason": "x"}).status_code == 403
    outside = client.post(
        f"/accountability/{proposals['h2']}/reject", data={"csrf_token": token, "reason": "x"}
    )
    assert outside.status_code == 404
    assert _status(database, proposals["h1"]) == _status(database, proposals["h2"]) == "proposed"
    client.cookies.clear()
    sign_in(client, "auditor")  # reads, never decides
    token = page_csrf(client, "/accountability")
    refused = client.post(
        f"/accountability/{proposals['h1']}/reject", data={"csrf_token": token, "reason": "x"}
    )
    assert refused.status_code == 403
    assert _status(database, proposals["h1"]) == "proposed"
