"""记分管理 pages: the API's records and monthly summary per jurisdiction; each step's form."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from sanjianguan.calendar.remaining import DueText
from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.workdays import china_date
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent, PointAppeal, PointRecord
from tests.web.pages.helpers import page_csrf, sign_in
from tests.workflow_db.fixtures import Clock

ROW = re.compile(r'<tr id="record-(\d+)" data-state="([a-z]+)">')
API = "/api/v1/points"
RECORD = {
    "party_kind": "staff",
    "party_id": "DOC-X",
    "institution_id": "H1",
    "item_code": "S201",
    "responsibility": "重要",
    "event_date": "2026-03-10",
    "approved_on": "2026-03-16",
    "department": "医政医管科",
    "description": "超范围开具药品",
}


def _record(client: TestClient, who: str, **changes: str) -> int:
    """A record made through the page form; its id (the newest the user sees)."""
    client.cookies.clear()
    sign_in(client, who)
    form = RECORD | {"csrf_token": page_csrf(client, "/points")} | changes
    response = client.post("/points", data=form)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/points?done=recorded"
    return max(_page_ids(client))


def _page_ids(client: TestClient, query: str = "") -> list[int]:
    response = client.get("/points" + query)
    assert response.status_code == 200, response.text
    return [int(i) for i, _ in ROW.findall(response.text)]


def _api(client: TestClient, path: str, **params: str) -> Any:
    response = client.get(API + path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _events(database: Database, name: str) -> list[AuditEvent]:
    with database.sessions() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.event == name)))


def _row(database: Database, record_id: int) -> PointRecord:
    with database.sessions() as s:
        row = s.get(PointRecord, record_id)
        assert row is not None
        s.expunge(row)
        return row


def test_the_record_form_scores_and_the_list_equals_the_api(client: TestClient, database: Database) -> None:
    first = _record(client, "county")
    _record(client, "city", institution_id="H2", party_kind="institution", item_code="I02", party_id="")
    assert _row(database, first).points == 5  # S201 level 2, 重要: the middle of 4-6
    assert len(_events(database, "points.recorded")) == 2
    seen = {}
    for username in ("city", "county", "hospital2", "auditor"):
        client.cookies.clear()
        sign_in(client, username)
        for query in ({}, {"year": "2026"}, {"party_kind": "institution"}, {"institution_id": "H1"}):
            text = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
            assert _page_ids(client, text) == [r["id"] for r in _api(client, "/records", **query)], (
                username,
                query,
            )
        seen[username] = len(_page_ids(client))
    assert seen == {"city": 2, "county": 1, "hospital2": 1, "auditor": 2}


def test_record_form_errors_stand_next_to_the_field(client: TestClient, database: Database) -> None:
    sign_in(client, "county")
    token = page_csrf(client, "/points")
    cases = [
        ({"approved_on": "2026-03-17"}, "r-approved_on-error", "日期须满足"),  # in the future
        ({"event_date": "16/03/2026"}, "r-event_date-error", "日期格式应为"),
        ({"item_code": "S999"}, "r-item_code-error", "记分项目不存在"),
        ({"responsibility": "次要"}, "r-responsibility-error", ""),
        ({"institution_id": "H2"}, "r-institution_id-error", "机构不存在"),  # the city's, not the county's
        ({"description": ""}, "r-description-error", "请填写事实说明"),
    ]
    for change, error_id, words in cases:
        response = client.post("/points", data=RECORD | {"csrf_token": token} | change)
        assert response.status_code == 400, change
        assert f'id="{error_id}">{words}' in response.text, change
        assert "DOC-X" in response.text  # the input is kept
    assert client.post("/points", data=RECORD).status_code == 403  # no CSRF token
    with database.sessions() as s:
        assert s.scalars(select(PointRecord)).first() is None


def test_notice_report_register_in_order_each_once(client: TestClient, database: Database) -> None:
    rid = _record(client, "county")
    token = page_csrf(client, "/points")
    early = client.post(f"/points/{rid}/register", data={"csrf_token": token})
    assert early.status_code == 409
    assert "尚未报送办公室" in early.text
    bad = client.post(f"/points/{rid}/notice", data={"csrf_token": token, "received_on": "2026-03-01"})
    assert bad.status_code == 400
    assert f'id="record-{rid}-error">签收日期须在' in bad.text
    for step, data in (("notice", {"received_on": "2026-03-16"}), ("report", {}), ("register", {})):
        done = client.post(f"/points/{rid}/{step}", data={"csrf_token": token} | data)
        assert done.status_code == 303, step
        assert done.headers["location"] == f"/points?done={step}", step
        again = client.post(f"/points/{rid}/{step}", data={"csrf_token": token} | data)
        assert again.status_code == 409, step
    row = _row(database, rid)
    assert str(row.received_on) == "2026-03-16"
    assert row.registered_on is not None
    assert [
        len(_events(database, n)) for n in ("points.notice_served", "points.reported", "points.registered")
    ] == [
        1,
        1,
        1,
    ]


def test_appeal_decision_form(client: TestClient, database: Database, clock: Clock) -> None:
    rid = _record(client, "county")
    token = page_csrf(client, "/points")
    client.post(f"/points/{rid}/notice", data={"csrf_token": token, "received_on": "2026-03-16"})
    client.cookies.clear()
    sign_in(client, "hospital1")
    # the API by the page's cookie: the page's CSRF token in the header
    headers = {"X-CSRF-Token": page_csrf(client, "/password")}
    filed = client.post(f"{API}/records/{rid}/appeal", json={"reason": "非本人所为"}, headers=headers)
    assert filed.status_code == 201, filed.text
    client.cookies.clear()
    sign_in(client, "county")
    page = client.get("/points").text
    assert f'action="/points/{rid}/decision"' in page
    token = page_csrf(client, "/points")
    amended = {"csrf_token": token, "outcome": "amended", "points_after": "9", "explanation": "减轻"}
    wrong = client.post(f"/points/{rid}/decision", data=amended)
    assert wrong.status_code == 400
    assert f'id="record-{rid}-error">变更后分值须' in wrong.text
    done = client.post(f"/points/{rid}/decision", data=amended | {"points_after": "4"})
    assert done.status_code == 303
    assert _row(database, rid).points == 4
    with database.sessions() as s:
        appeal = s.get(PointAppeal, rid)
        assert appeal is not None
        assert appeal.result == "amended"
    assert len(_events(database, "points.appeal_decided")) == 1
    assert client.post(f"/points/{rid}/decision", data=amended | {"points_after": "3"}).status_code == 409


def test_scope_and_roles(client: TestClient, database: Database) -> None:
    rid = _record(client, "city", institution_id="H2")
    client.cookies.clear()
    sign_in(client, "county")
    token = page_csrf(client, "/points")
    outside = client.post(f"/points/{rid}/notice", data={"csrf_token": token, "received_on": "2026-03-16"})
    assert outside.status_code == 404
    assert _row(database, rid).notified_on is None
    client.cookies.clear()
    sign_in(client, "hospital2")  # reads its own, takes no office step
    page = client.get("/points").text
    assert "/notice" not in page
    assert 'id="new-record"' not in page
    assert client.get("/points/monthly").status_code == 403
    client.cookies.clear()
    sign_in(client, "expert")
    assert client.get("/points").status_code == 403
    assert 'href="/points"' not in client.get("/").text


SUMMARY = re.compile(r'id="summary-(records|points|filed|missing)">(\d+)<')


def _summary(client: TestClient, query: str) -> dict[str, int]:
    response = client.get("/points/monthly" + query)
    assert response.status_code == 200, response.text
    return {k: int(v) for k, v in SUMMARY.findall(response.text)}


def test_monthly_return_summary_equals_the_api_and_zero_report(
    client: TestClient, database: Database, clock: Clock
) -> None:
    _record(client, "county")  # approved 2026-03-16
    clock.advance(days=20)  # 2026-04-05: March is over
    for who, region in (("county", "511502"), ("city", "511500")):
        client.cookies.clear()
        sign_in(client, who)
        api = _api(client, "/returns", region_code=region, month="2026-03")
        shown = _summary(client, f"?month=2026-03&region_code={region}")
        assert shown == {
            "records": api["records"],
            "points": api["points"],
            "filed": len(api["returns"]),
            "missing": len(api["missing"]),
        }
        assert shown["records"] == 1
    assert _summary(client, "") == _summary(client, "?month=2026-03&region_code=511500")  # defaults
    token = page_csrf(client, "/points/monthly")
    form = {"csrf_token": token, "month": "2026-03", "region_code": "511500", "signed_by": "李科长"}
    zero = client.post("/points/monthly", data=form | {"department": "基层卫生科"})
    assert zero.status_code == 303
    assert zero.headers["location"].endswith("done=zero")
    filed = client.post("/points/monthly", data=form | {"department": "医政医管科"})
    assert filed.headers["location"].endswith("done=filed")
    again = client.post("/points/monthly", data=form | {"department": "医政医管科"})
    assert again.status_code == 409
    assert "该科室本月已报送" in again.text
    unsigned = client.post("/points/monthly", data=form | {"department": "综合监督科", "signed_by": ""})
    assert unsigned.status_code == 400
    assert 'id="ret-signed_by-error">' in unsigned.text
    api = _api(client, "/returns", region_code="511500", month="2026-03")
    assert {r["department"]: (r["zero"], r["record_count"]) for r in api["returns"]} == {
        "基层卫生科": (True, 0),
        "医政医管科": (False, 1),
    }
    assert len(_events(database, "points.monthly_return")) == 2
    client.cookies.clear()
    sign_in(client, "county")  # the city's summary is outside the county
    assert client.get("/points/monthly?month=2026-03&region_code=511500").status_code == 404
    assert 'id="s-month-error">' in client.get("/points/monthly?month=2026-13").text


def _due(database: Database, clock: Clock) -> DueText:
    with database.sessions() as s:
        return DueText(calendar_for(s), china_date(clock.now))


def test_every_open_deadline_shows_its_working_days_left(
    client: TestClient, database: Database, clock: Clock
) -> None:
    rid = _record(client, "county")
    row, due = _row(database, rid), _due(database, clock)
    page = client.get("/points").text
    for deadline in (row.notice_due, row.report_due):
        assert f"期限 {due(deadline)}" in page
        assert "个工作日）" in due(deadline) or "今日截止" in due(deadline)
    clock.advance(days=20)  # 2026-04-05: March is over, its return and the notice are overdue
    client.cookies.clear()
    sign_in(client, "county")
    later = _due(database, clock)
    assert f"期限 {later(row.notice_due)}" in client.get("/points").text
    assert "已逾期" in later(row.notice_due)
    monthly = client.get("/points/monthly?month=2026-03&region_code=511502").text
    summary = re.search(r"报送期限 ([^<]+)</small>", monthly)
    assert summary is not None
    assert summary.group(1).startswith("2026-04-10（剩余 ")
    published = client.get("/points/disclosures").text  # 2026-Q1 not yet published: due 04-10
    assert f"2026-Q1 的公示期限：<strong>{later(date(2026, 4, 10))}</strong>" in published


def test_the_workbench_gives_the_points_appeal_deadline_with_working_days(
    client: TestClient, database: Database, clock: Clock
) -> None:
    rid = _record(client, "county", party_kind="institution", item_code="I02", party_id="")  # H1, 03-16
    token = page_csrf(client, "/points")
    served = client.post(f"/points/{rid}/notice", data={"csrf_token": token, "received_on": "2026-03-16"})
    assert served.status_code == 303
    appeal_due = _row(database, rid).appeal_due
    assert appeal_due is not None
    client.cookies.clear()
    sign_in(client, "hospital1")
    page = client.get("/workbench").text
    assert f'<tr data-record="{rid}">' in page
    assert _due(database, clock)(appeal_due) in page
    clock.advance(days=10)  # the appeal period is over: no days are counted for a right that lapsed
    client.cookies.clear()
    sign_in(client, "hospital1")
    assert f"{appeal_due.isoformat()}（已届满）" in client.get("/workbench").text
