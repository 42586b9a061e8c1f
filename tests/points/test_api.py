"""Penalty points over HTTP on SQLite and PostgreSQL: scoring, notices, appeals, returns, disclosure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent
from tests.web.test_api import assert_bilingual, login
from tests.workflow_db.fixtures import Clock, Org, seed_org

API = "/api/v1/points"


@pytest.fixture
def org(database: Database) -> Org:
    with database.sessions() as s:
        return seed_org(s)


@pytest.fixture
def client(ctx: Context, database: Database, clock: Clock, org: Org) -> Iterator[TestClient]:
    with TestClient(create_app(ctx, clock=clock, database=database)) as test_client:
        yield test_client


def score(client: TestClient, who: str, **fields: Any) -> Any:
    body = {
        "party_kind": "staff",
        "party_id": "DOC-X",
        "institution_id": "H1",
        "item_code": "S201",
        "responsibility": "重要",
        "event_date": "2026-03-10",
        "approved_on": "2026-03-16",  # the clock's day
        "department": "医政医管科",
        "description": "超限定条件用药",
        **fields,
    }
    return client.post(f"{API}/records", json=body, headers=login(client, who))


def test_staff_points_accumulate_across_institutions_within_jurisdiction(client: TestClient) -> None:
    first = score(client, "county")  # S201 重要 = 5
    assert first.status_code == 201, first.text
    assert (first.json()["points"], first.json()["notice_due"], first.json()["report_due"]) == (
        5,
        "2026-03-19",
        "2026-03-26",
    )
    # The county office cannot score at H2 (another county): 404.
    outside = score(client, "county", institution_id="H2")
    assert outside.status_code == 404
    assert_bilingual(outside.json())
    second = score(client, "city", institution_id="H2", item_code="S201", responsibility="一般")  # 4
    assert second.status_code == 201
    standing = client.get(f"{API}/staff/DOC-X", params={"year": 2026}, headers=login(client, "county")).json()
    # 5 + 4 = 9: suspension; the county lists only its own record but the total is the doctor's.
    assert (standing["total"], standing["status"], standing["suspend_months"]) == (9, "suspended", [1, 6])
    assert [r["institution_id"] for r in standing["records"]] == ["H1"]
    assert (
        client.get(
            f"{API}/staff/DOC-X", params={"year": 2026}, headers=login(client, "hospital2")
        ).status_code
        == 200
    )
    hidden = client.get(f"{API}/records/{first.json()['id']}", headers=login(client, "hospital2"))
    assert hidden.status_code == 404
    assert (
        client.get(f"{API}/staff/NOBODY", params={"year": 2026}, headers=login(client, "county")).status_code
        == 404
    )


def test_emergency_rescue_is_recorded_with_zero_points(client: TestClient) -> None:
    response = score(client, "county", emergency=True)
    assert (response.json()["points"], response.json()["exempt"]) == (0, True)


def test_bad_input(client: TestClient) -> None:
    assert score(client, "county", item_code="S999").status_code == 400
    assert score(client, "county", responsibility="次要").status_code == 400
    assert score(client, "county", approved_on="2026-03-17").status_code == 400  # in the future
    assert score(client, "county", party_kind="robot").status_code == 422
    assert score(client, "hospital1").status_code == 403  # institutions do not score
    assert score(client, "auditor").status_code == 403


def test_notice_appeal_window_and_decision_across_working_days(client: TestClient, clock: Clock) -> None:
    rid = score(client, "county").json()["id"]
    office, hospital = login(client, "county"), login(client, "hospital1")
    early = client.post(f"{API}/records/{rid}/appeal", json={"reason": "不服"}, headers=hospital)
    assert early.status_code == 409  # no notice yet
    clock.advance(days=4)  # 2026-03-20: one day past the 3-day notice deadline
    office, hospital = login(client, "county"), login(client, "hospital1")  # sessions expire
    served = client.post(f"{API}/records/{rid}/notice", json={"received_on": "2026-03-20"}, headers=office)
    assert (served.json()["appeal_due"], served.json()["late"]) == ("2026-03-23", ["notice"])
    clock.advance(days=3)  # 2026-03-23: last day of the appeal period
    office, hospital = login(client, "county"), login(client, "hospital1")
    filed = client.post(f"{API}/records/{rid}/appeal", json={"reason": "非本人所为"}, headers=hospital)
    assert filed.status_code == 201
    # 10 working days after Mon 23 March 2026: 24-27 March (4), 30 March-3 April (9); Qingming
    # 2026 is Sat 4 - Mon 6 April, so Tue 7 April is the 10th (weekends alone would give 6 April).
    assert filed.json()["decision_due"] == "2026-04-07"
    again = client.post(f"{API}/records/{rid}/appeal", json={"reason": "x"}, headers=hospital)
    assert again.status_code == 409
    decided = client.post(
        f"{API}/records/{rid}/appeal/decision",
        json={"outcome": "revoked", "explanation": "证据不足"},
        headers=office,
    )
    assert decided.json()["result"] == "revoked"
    standing = client.get(f"{API}/staff/DOC-X", params={"year": 2026}, headers=office).json()
    assert standing["total"] == 0


def test_appeal_after_the_deadline_is_refused(client: TestClient, clock: Clock) -> None:
    rid = score(client, "county").json()["id"]
    client.post(
        f"{API}/records/{rid}/notice", json={"received_on": "2026-03-16"}, headers=login(client, "county")
    )
    clock.advance(days=4)  # 2026-03-20 > 2026-03-19
    late = client.post(
        f"{API}/records/{rid}/appeal", json={"reason": "x"}, headers=login(client, "hospital1")
    )
    assert late.status_code == 409
    assert late.json()["detail"]["code"] == "deadline_passed"


def test_institution_bands_report_register(client: TestClient) -> None:
    office = login(client, "county")
    empty = client.get(f"{API}/institutions/H1", params={"year": 2026}, headers=office).json()
    assert (empty["total"], empty["band"], empty["sanction"], empty["records"]) == (0, None, None, [])
    for item in ("I05", "I04"):  # 10 + 6 = 16
        rid = score(
            client, "county", party_kind="institution", party_id="", item_code=item, responsibility=None
        )
        assert rid.status_code == 201, rid.text
    st = client.get(f"{API}/institutions/H1", params={"year": 2026}, headers=office).json()
    assert (st["total"], st["band"]) == (16, "16-20分")
    rid = st["records"][0]["id"]
    assert client.post(f"{API}/records/{rid}/register", headers=office).status_code == 409  # not reported
    reported = client.post(f"{API}/records/{rid}/report", headers=office).json()
    assert reported["register_due"] == "2026-03-19"
    assert (
        client.post(f"{API}/records/{rid}/register", headers=office).json()["registered_on"] == "2026-03-16"
    )
    assert client.get(f"{API}/institutions/H2", params={"year": 2026}, headers=office).status_code == 404


def test_monthly_return_zero_reports_and_quarterly_disclosure(
    client: TestClient, clock: Clock, database: Database
) -> None:
    office = login(client, "county")
    rid = score(
        client, "county", party_kind="institution", party_id="", item_code="I02", responsibility=None
    ).json()["id"]
    staff_id = score(client, "county").json()["id"]
    body = {"region_code": "511502", "month": "2026-03", "department": "医政医管科", "signed_by": "张科长"}
    assert client.post(f"{API}/returns", json=body, headers=office).status_code == 400  # March not over
    for r in (rid, staff_id):
        client.post(f"{API}/records/{r}/report", headers=office)
        client.post(f"{API}/records/{r}/register", headers=office)
    clock.advance(days=20)  # 2026-04-05
    office = login(client, "county")
    filed = client.post(f"{API}/returns", json=body, headers=office).json()
    assert (filed["record_count"], filed["points"], filed["zero"], filed["late"]) == (2, 7, False, False)
    zero = client.post(f"{API}/returns", json={**body, "department": "规划财务科"}, headers=office).json()
    assert (zero["zero"], zero["record_count"]) == (True, 0)
    summary = client.get(
        f"{API}/returns", params={"region_code": "511502", "month": "2026-03"}, headers=office
    ).json()
    assert len(summary["returns"]) == 2
    assert "规划财务科" not in summary["missing"]
    assert "卫生监督所" in summary["missing"]
    unknown = client.post(f"{API}/returns", json={**body, "department": "外星科"}, headers=office)
    assert unknown.status_code == 400
    # Disclosure: nothing public before publication, then only per-institution figures.
    assert (
        client.get(f"{API.replace('/points', '/public/points')}/disclosures/511502/2026-Q1").status_code
        == 404
    )
    published = client.post(
        f"{API}/disclosures", json={"region_code": "511502", "quarter": "2026-Q1"}, headers=office
    )
    assert published.status_code == 201
    public = client.get("/api/v1/public/points/disclosures/511502/2026-Q1")  # no login
    assert public.status_code == 200
    (item,) = public.json()["items"]
    assert item == {
        "institution_id": "H1",
        "institution_name": "H1 医院",
        "institution_events": 1,
        "institution_points": 2,
        "staff_scored": 1,
        "staff_points": 5,
    }
    assert "DOC-X" not in public.text
    assert public.json()["due_on"] == "2026-04-10"
    with database.sessions() as s:
        names = set(s.scalars(select(AuditEvent.event).where(AuditEvent.event.startswith("points."))))
    assert {
        "points.recorded",
        "points.reported",
        "points.registered",
        "points.monthly_return",
        "points.disclosed",
    } <= names
