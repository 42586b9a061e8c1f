"""移送 pages: the list equals the API's per jurisdiction; refer from a clue, receive, feedback."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Referral
from tests.web.pages.helpers import page_csrf
from tests.web.pages.joint_helpers import api, as_user, error_of, events, ids


def _refer(client: TestClient, who: str, clue: str, department: str, reason: str = "涉嫌欺诈骗保") -> int:
    as_user(client, who)
    token = page_csrf(client, f"/referrals/new?clue={clue}")
    form = {"csrf_token": token, "clue": clue, "department": department, "reason": reason}
    response = client.post("/referrals/new", data=form)
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/referrals/(\d+)\?done=sent", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def _count(database: Database) -> int:
    with database.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Referral)) or 0)


def test_the_list_equals_the_api_per_jurisdiction(client: TestClient, database: Database) -> None:
    _refer(client, "city", "c2", "insurance")
    _refer(client, "city", "c1", "market_regulator")
    _refer(client, "county", "c1", "insurance")
    assert len(events(database, "referral.sent")) == 3
    seen = {}
    for username in ("city", "county", "insurance", "auditor"):
        as_user(client, username)
        for query in ({}, {"status": "sent"}, {"clue": "c1"}):
            page = client.get("/referrals", params=query)
            assert page.status_code == 200, (username, query)
            api_query = {"clue_id": query["clue"]} if "clue" in query else query
            expected = [r["id"] for r in api(client, "/referrals", **api_query)]
            assert ids(page.text, "referral") == expected, (username, query)
        seen[username] = len(ids(client.get("/referrals").text, "referral"))
    assert seen == {"city": 3, "county": 2, "insurance": 1, "auditor": 3}  # insurance 511503: c2's


def test_refer_errors_and_the_double_submit(client: TestClient, database: Database) -> None:
    as_user(client, "city")
    token = page_csrf(client, "/referrals/new?clue=c1")
    base = {"csrf_token": token, "clue": "c1", "department": "insurance", "reason": "涉嫌欺诈骗保"}
    missing = client.post("/referrals/new", data=base | {"department": ""})
    assert missing.status_code == 400
    assert error_of(missing.text, "r-department") == "请选择移送部门"
    assert "涉嫌欺诈骗保" in missing.text
    blank = client.post("/referrals/new", data=base | {"reason": " "})
    assert blank.status_code == 400
    assert "移送理由不能为空" in error_of(blank.text, "r-reason")
    assert client.post("/referrals/new", data=base | {"csrf_token": ""}).status_code == 403
    assert _count(database) == 0
    assert client.post("/referrals/new", data=base).status_code == 303
    again = client.post("/referrals/new", data=base)
    assert again.status_code == 409
    assert "尚未反馈" in again.text
    assert _count(database) == 1


def test_scope_and_roles(client: TestClient) -> None:
    referral = _refer(client, "city", "c2", "insurance")
    as_user(client, "county")
    assert client.get("/referrals/new?clue=c2").status_code == 404  # the neighbour county's clue
    assert client.get(f"/referrals/{referral}").status_code == 404
    as_user(client, "hospital1")
    assert client.get("/referrals").status_code == 403
    assert client.get("/referrals/new?clue=c1").status_code == 403
    assert 'href="/referrals"' not in client.get("/workbench").text
    as_user(client, "auditor")
    page = client.get(f"/referrals/{referral}")
    assert page.status_code == 200
    assert 'id="receive-form"' not in page.text


def test_insurance_receives_and_answers_once(client: TestClient, database: Database) -> None:
    referral = _refer(client, "city", "c2", "insurance")
    path = f"/referrals/{referral}"
    assert 'id="receive-form"' not in client.get(path).text  # the office does not receive insurance's
    as_user(client, "insurance")
    token = page_csrf(client, path)
    assert (
        client.post(path + "/receive", data={"csrf_token": token}).headers["location"]
        == path + "?done=received"
    )
    assert client.post(path + "/receive", data={"csrf_token": token}).status_code == 409
    answer = {
        "csrf_token": token,
        "outcome": "penalised",
        "explanation": "已追回并处罚款",
        "amount_recovered": "1234.56",
    }
    bad = client.post(path + "/feedback", data=answer | {"fine": "-5"})
    assert bad.status_code == 400
    assert "金额无效" in error_of(bad.text, "fb-fine")
    assert "已追回并处罚款" in bad.text
    done = client.post(path + "/feedback", data=answer | {"fine": "2469.12"})
    assert done.headers["location"] == path + "?done=answered"
    assert client.post(path + "/feedback", data=answer).status_code == 409
    assert [len(events(database, n)) for n in ("referral.received", "referral.answered")] == [1, 1]
    shown = api(client, f"/referrals/{referral}")
    assert (shown["status"], shown["fine"], shown["amount_recovered"]) == ("answered", "2469.12", "1234.56")


def test_the_office_records_the_market_regulators_side(client: TestClient) -> None:
    referral = _refer(client, "city", "c1", "market_regulator")
    path = f"/referrals/{referral}"
    page = client.get(path)
    assert 'id="receive-form"' in page.text
    assert "市场监督管理部门在平台中没有帐号" in page.text
    token = page_csrf(client, path)
    form = {"csrf_token": token, "outcome": "no_violation", "explanation": "复函：未发现违法"}
    assert client.post(path + "/feedback", data=form).status_code == 303
    as_user(client, "insurance")
    assert client.get(path).status_code == 404  # not sent to insurance
