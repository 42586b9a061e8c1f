"""专项治理 pages: list, deploy, the ledger and the tally equal the API's; void, close, refusals."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Campaign, CampaignRecord
from tests.web.pages.helpers import page_csrf
from tests.web.pages.joint_helpers import api, as_user, error_of, events, ids

DEPLOY = {
    "title": "不合理医疗检查及用药专项治理",
    "region_code": "511500",
    "rule_ids": "R-DUP-01, D01",
    "deployment_from": "2026-03-10",
    "deployment_to": "2026-03-31",
    "self_check_from": "2026-04-01",
    "self_check_to": "2026-05-15",
    "supervision_from": "2026-04-01",
    "supervision_to": "2026-11-30",
    "consolidation_from": "2026-12-01",
    "consolidation_to": "2026-12-31",
}


def _deploy(client: TestClient, **changes: str) -> int:
    as_user(client, "city")
    response = client.post(
        "/campaigns", data=DEPLOY | {"csrf_token": page_csrf(client, "/campaigns")} | changes
    )
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/campaigns/(\d+)\?done=created", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def _add(client: TestClient, cid: int, who: str, **fields: str) -> None:
    as_user(client, who)
    path = f"/campaigns/{cid}"
    form = {"csrf_token": page_csrf(client, path), "source": "found"} | fields
    response = client.post(path + "/records", data=form)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == path + "?done=recorded"


def _cells(html: str, row_id: str) -> dict[str, Decimal]:
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert row, row_id
    return {k: Decimal(v) for k, v in re.findall(r'data-kind="(\w+)">([^<]*)<', row.group(1))}


def test_deploy_record_and_the_tally_equals_the_api(client: TestClient, database: Database) -> None:
    cid = _deploy(client)
    assert len(events(database, "campaign.created")) == 1
    _add(client, cid, "city", institution_id="H1", kind="confirmed", amount="12345.67")
    _add(client, cid, "county", institution_id="H1", kind="fine", amount="24691.34")
    _add(
        client, cid, "hospital1", institution_id="H1", kind="refund", amount="800.05", source="self_reported"
    )
    _add(client, cid, "city", institution_id="H2", kind="recovered", amount="0.30")
    assert len(events(database, "campaign.record_added")) == 4
    totals = {}
    for username in ("city", "county", "hospital1", "auditor"):
        as_user(client, username)
        page = client.get(f"/campaigns/{cid}")
        assert page.status_code == 200, username
        assert ids(page.text, "record") == [r["id"] for r in api(client, f"/campaigns/{cid}/records")], (
            username
        )
        tally = api(client, f"/campaigns/{cid}/tally")
        assert _cells(page.text, "tally-total") == {k: Decimal(v) for k, v in tally["total"].items()}, (
            username
        )
        totals[username] = _cells(page.text, "tally-total")
        listed = client.get("/campaigns")
        assert ids(listed.text, "campaign") == [c["id"] for c in api(client, "/campaigns")], username
    assert totals["city"] == {
        "confirmed": Decimal("12345.67"),
        "fine": Decimal("24691.34"),
        "recovered": Decimal("0.30"),
        "refund": Decimal("800.05"),
    }
    assert totals["county"]["recovered"] == Decimal("0.00")  # H2 is the neighbour county's


def test_record_form_errors_next_to_the_field(client: TestClient, database: Database) -> None:
    cid = _deploy(client)
    path = f"/campaigns/{cid}"
    token = page_csrf(client, path)
    base = {"csrf_token": token, "institution_id": "H1", "kind": "fine", "amount": "10.00", "source": "found"}
    cases = [
        ({"amount": "1.005"}, "r-amount", "金额无效"),
        ({"amount": ""}, "r-amount", "请填写金额"),
        ({"institution_id": "H3"}, "r-institution_id", "参与机构不存在"),  # another city's
        ({"clue_id": "c2"}, "r-clue_id", "不属于机构"),
        ({"clue_id": "nope"}, "r-clue_id", "线索不存在"),
    ]
    for change, field, words in cases:
        response = client.post(path + "/records", data=base | {"note": "复核"} | change)
        assert response.status_code == 400, change
        assert words in error_of(response.text, field), change
        assert "复核" in response.text, change
    as_user(client, "hospital1")
    token = page_csrf(client, path)
    fine = client.post(path + "/records", data=base | {"csrf_token": token, "source": "self_reported"})
    assert fine.status_code == 400
    assert "只能登记自查发现" in error_of(fine.text, "r-kind")
    assert client.post(path + "/records", data=base).status_code == 403  # no CSRF token
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CampaignRecord)) == 0


def test_deploy_errors_keep_the_input(client: TestClient, database: Database) -> None:
    as_user(client, "county")
    token = page_csrf(client, "/campaigns")
    cases = [
        (
            {"region_code": "511500"},
            "c-region_code",
            "不在管辖范围内",
        ),  # the county cannot deploy for the city
        ({"supervision_from": "2026-03-01"}, "c-phases", "不能早于"),
        ({"consolidation_to": ""}, "c-phases", "巩固提升"),
        ({"institution_ids": "H2"}, "c-institution_ids", "H2"),
        ({"rule_ids": " "}, "c-rule_ids", "请填写至少一个目标规则编号"),
    ]
    for change, field, words in cases:
        response = client.post(
            "/campaigns", data=DEPLOY | {"region_code": "511502", "csrf_token": token} | change
        )
        assert response.status_code == 400, change
        assert words in error_of(response.text, field), change
        assert DEPLOY["title"] in response.text, change
    with database.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Campaign)) == 0


def test_void_and_close_by_the_campaigns_office_once(client: TestClient, database: Database) -> None:
    cid = _deploy(client)
    _add(client, cid, "city", institution_id="H1", kind="fine", amount="999.99")
    path = f"/campaigns/{cid}"
    as_user(client, "county")
    page = client.get(path)
    assert 'id="close-form"' not in page.text  # a county the campaign covers does not manage it
    as_user(client, "city")
    token = page_csrf(client, path)
    record_id = ids(client.get(path).text, "record")[0]
    blank = client.post(f"{path}/records/{record_id}/void", data={"csrf_token": token, "reason": " "})
    assert blank.status_code == 400
    assert "作废理由不能为空" in error_of(blank.text, f"void-{record_id}")
    void = client.post(f"{path}/records/{record_id}/void", data={"csrf_token": token, "reason": "录入错误"})
    assert void.headers["location"] == path + "?done=voided"
    again = client.post(f"{path}/records/{record_id}/void", data={"csrf_token": token, "reason": "录入错误"})
    assert again.status_code == 409
    assert "已作废" in again.text
    assert _cells(client.get(path).text, "tally-total")["fine"] == Decimal("0.00")
    assert (
        client.post(f"{path}/close", data={"csrf_token": token}).headers["location"] == path + "?done=closed"
    )
    closed = client.post(f"{path}/close", data={"csrf_token": token})
    assert closed.status_code == 409
    assert "已结束" in closed.text
    late = client.post(
        f"{path}/records",
        data={"csrf_token": token, "institution_id": "H1", "kind": "fine", "amount": "1", "source": "found"},
    )
    assert late.status_code == 409
    assert [len(events(database, n)) for n in ("campaign.record_voided", "campaign.closed")] == [1, 1]


def test_scope_roles_and_the_self_check_form(client: TestClient) -> None:
    cid = _deploy(client)
    as_user(client, "hospital1")
    sheet = client.get(f"/campaigns/{cid}/self-check/H1")
    assert sheet.status_code == 200
    assert 'data-rule="R-DUP-01"' in sheet.text
    assert client.get(f"/campaigns/{cid}/self-check/H2").status_code == 404  # another institution's
    as_user(client, "other_city")  # an analyst of another city
    assert client.get(f"/campaigns/{cid}").status_code == 404
    as_user(client, "expert")
    assert client.get("/campaigns").status_code == 403
    assert 'href="/campaigns"' not in client.get("/expert").text
    as_user(client, "auditor")
    page = client.get(f"/campaigns/{cid}")
    assert 'id="record-form"' not in page.text
    assert 'id="close-form"' not in page.text
