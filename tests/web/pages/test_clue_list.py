"""线索列表: the rows are the API's for the same user and filter; filters, lookup, paging, sorting, export."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases import service
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Clue, Deadline, User
from tests.web.pages.helpers import sign_in
from tests.workflow_db.fixtures import Clock, sample_clue

ROW = re.compile(r'<tr data-clue-id="([^"]+)"')
LEFT = re.compile(r'<tr data-clue-id="([^"]+)"[^>]*>.*?<td class="num" data-left>([^<]*)</td>', re.S)


def _ids(html: str) -> list[str]:
    return ROW.findall(html)


def _api_ids(client: TestClient, query: str = "") -> list[str]:
    response = client.get("/api/v1/clues" + query + ("&" if query else "?") + "limit=1000")
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _charges(database: Database) -> None:
    """Clues of a catalogued rule (C01 重复收费: charges, violation) in two counties, one pushed."""
    with database.transaction() as session:
        for clue_id, inst, region, period in (
            ("k1", "H1", "511502", "2026-03"),
            ("k2", "H2", "511503", "2026-03"),
            ("k3", "H1", "511502", "2026-02"),
        ):
            clue = sample_clue(clue_id, inst, region, period)
            clue.rule_id = "C01"
            session.add(clue)
        session.flush()
        pushed = session.get(Clue, "k2")
        assert pushed is not None
        pushed.status = "pushed"


QUERIES = (
    "",
    "?period=2026-03",
    "?status=generated",
    "?status=pushed",
    "?category=charges",
    "?rule_id=C01&period=2026-02",
    "?grade=violation",
    "?grade=hint",
)


@pytest.mark.parametrize("username", ["city", "county", "hospital2", "expert"])
def test_rows_equal_the_api_for_each_user_and_filter(
    client: TestClient, database: Database, username: str
) -> None:
    _charges(database)
    sign_in(client, username)
    for query in QUERIES:
        response = client.get("/clues" + query)
        assert response.status_code == 200, (query, response.text)
        assert _ids(response.text) == _api_ids(client, query), (username, query)
        total = re.search(r'id="total">(\d+)<', response.text)
        assert total is not None
        assert int(total.group(1)) == len(_api_ids(client, query))
    if username == "county":
        assert _ids(client.get("/clues").text) == ["c1", "k1", "k3"]  # not H2's (another county)
    if username == "city":
        assert _ids(client.get("/clues?institution_id=H2").text) == _api_ids(client, "?institution_id=H2")


def test_an_expert_sees_no_identity_and_may_not_filter_by_institution(client: TestClient) -> None:
    sign_in(client, "expert")
    html = client.get("/clues").text
    assert _ids(html) == ["c2"]
    for secret in ("H2", "医院", "DOC-", "PAT-", "DEPT-", 'id="f-institution_id"', "只看逾期"):
        assert secret not in html, secret
    refused = client.get("/clues?institution_id=H2")
    assert refused.status_code == 403  # as the API: identity_filter_forbidden
    assert client.get("/api/v1/clues?institution_id=H2").status_code == 403


def test_bad_filters_are_named_next_to_their_field_and_kept(client: TestClient) -> None:
    sign_in(client, "county")
    response = client.get("/clues?period=2026-13&status=bogus&rule_id=NOPE&institution_id=H2&sort=patient_id")
    assert response.status_code == 400
    html = response.text
    assert 'id="period-error">结算月应为 YYYY-MM 格式' in html
    assert 'aria-describedby="period-error"' in html
    assert 'value="2026-13"' in html
    assert 'id="status-error">请从列表中选择状态' in html
    assert 'id="rule_id-error">规则编号不在规则目录中' in html
    assert '<option value="NOPE" selected>NOPE</option>' in html  # kept
    assert 'id="institution_id-error">' in html  # H2 lies outside the county
    assert 'id="sort-error">' in html
    assert "data-clue-id" not in html


def test_lookup_opens_a_visible_clue_and_hides_others(client: TestClient) -> None:
    sign_in(client, "county")
    found = client.get("/clues?id=c1")
    assert found.status_code == 303
    assert found.headers["location"] == "/clues/c1"
    for other in ("c2", "nope"):  # another county's clue reads as an unknown one
        response = client.get(f"/clues?id={other}")
        assert response.status_code == 404
        assert 'id="id-error">未找到线索' in response.text
        assert f'value="{other}"' in response.text
        assert _ids(response.text) == ["c1"]  # the list is still shown


def test_paging_and_sorting_keep_the_filters(client: TestClient, database: Database) -> None:
    with database.transaction() as session:
        for i in range(120):
            clue = sample_clue(f"p{i:03d}", "H1", "511502", period="2026-01")
            clue.amount_involved = Decimal(i)
            session.add(clue)
    sign_in(client, "county")
    first = client.get("/clues?period=2026-01&sort=amount_involved&dir=desc")
    assert first.status_code == 200
    assert _ids(first.text)[:3] == ["p119", "p118", "p117"]
    assert len(_ids(first.text)) == 50
    assert 'aria-sort="descending"' in first.text
    assert 'href="/clues?period=2026-01&amp;sort=amount_involved&amp;dir=desc&amp;page=2"' in first.text
    third = client.get("/clues?period=2026-01&sort=amount_involved&dir=desc&page=3")
    assert _ids(third.text) == [f"p{i:03d}" for i in range(19, -1, -1)]
    assert "第 3 / 3 页" in third.text
    ascending = client.get("/clues?period=2026-01&sort=amount_involved")
    assert _ids(ascending.text)[0] == "p000"
    assert 'aria-sort="ascending"' in ascending.text
    assert client.get("/clues?page=0").status_code == 400


def test_self_check_deadline_and_overdue_filter(client: TestClient, database: Database, clock: Clock) -> None:
    with database.transaction() as session:
        county = session.query(User).filter_by(username="county").one()
        service.push_period(session, county, "2026-02", "511502", now=clock.now)
    with database.sessions() as session:
        deadline = session.query(Deadline).filter_by(clue_id="c1", step="self_check").one()
        left = calendar_for(session).working_days_between(china_date(clock.now), deadline.due_on)
    sign_in(client, "county")
    html = client.get("/clues").text
    assert deadline.due_on.isoformat() in html
    assert dict(LEFT.findall(html))["c1"] == str(left)
    assert _ids(client.get("/clues?overdue=1").text) == []
    clock.advance(days=40)
    sign_in(client, "county")  # the idle session ended
    late = client.get("/clues?overdue=1")
    overdue_api = client.get("/api/v1/deadlines/overdue").json()
    assert _ids(late.text) == sorted({item["clue_id"] for item in overdue_api}) == ["c1"]
    with database.sessions() as session:
        behind = calendar_for(session).working_days_between(deadline.due_on, china_date(clock.now))
    assert dict(LEFT.findall(late.text))["c1"] == f"已逾期 {behind} 个工作日"
    assert 'data-clue-id="c1" class="late"' in late.text
    client.cookies.clear()
    sign_in(client, "hospital1")  # 逾期事项 is the office's list
    assert "只看逾期" not in client.get("/clues").text
    assert client.get("/clues?overdue=1").status_code == 403


def _book(response: object) -> list[list[object]]:
    content = response.content  # type: ignore[attr-defined]
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_export_holds_every_row_of_the_filter(client: TestClient, database: Database) -> None:
    with database.transaction() as session:
        for i in range(60):
            session.add(sample_clue(f"x{i:02d}", "H2", "511503", period="2026-02"))
    sign_in(client, "city")
    page = client.get("/clues?period=2026-02&sort=rule_id")
    assert 'href="/clues/export.xlsx?period=2026-02&amp;sort=rule_id"' in page.text
    response = client.get("/clues/export.xlsx?period=2026-02&sort=rule_id")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "线索_2026-02.xlsx"
    rows = _book(response)
    assert rows[0][0] == "线索列表（结算月 2026-02，共 62 条）"
    ids = [row[0] for row in rows[2:]]
    assert sorted(ids) == sorted(_api_ids(client, "?period=2026-02"))  # all 62, not one page of 50
    amount = rows[1].index("涉及金额（元）")
    assert rows[2][amount] == pytest.approx(1234.56)
    everything = client.get("/clues/export.xlsx")
    assert (
        "filename*=UTF-8''" + "%E7%BA%BF%E7%B4%A2_%E5%85%A8%E9%83%A8.xlsx"
        in everything.headers["content-disposition"]
    )
    bad = client.get("/clues/export.xlsx?period=2026-13")
    assert bad.status_code == 400
    assert 'id="period-error"' in bad.text


def test_export_is_capped_and_anonymous_for_experts(client: TestClient) -> None:
    sign_in(client, "city")
    client.app.state.config.settings.web.export_max_rows = 1  # type: ignore[attr-defined]
    refused = client.get("/clues/export.xlsx")
    assert refused.status_code == 400
    assert "超过导出上限 1 条" in refused.text
    client.app.state.config.settings.web.export_max_rows = 100  # type: ignore[attr-defined]
    client.cookies.clear()
    sign_in(client, "expert")
    rows = _book(client.get("/clues/export.xlsx"))
    flat = " ".join(str(cell) for row in rows for cell in row)
    assert [row[0] for row in rows[2:]] == ["c2"]
    for secret in ("H2", "医院", "DOC-", "PAT-"):
        assert secret not in flat


def test_the_nav_links_the_list_for_every_reader(client: TestClient) -> None:
    for username in ("city", "hospital1", "expert", "auditor"):
        client.cookies.clear()
        sign_in(client, username)
        assert '<a href="/clues">线索</a>' in client.get("/").text
        html = client.get("/clues").text
        assert ('id="bulk-link"' in html) == (username == "city")


def test_the_apis_errors_stay_json_beside_the_page(client: TestClient) -> None:
    """/clues is a page and, under /api/v1, the API's list: each answers errors in its own way."""
    sign_in(client, "city")
    api = client.get("/api/v1/clues?status=bogus")
    assert api.status_code == 422
    assert api.headers["content-type"].startswith("application/json")
    assert api.json()["detail"]["code"]
    page = client.get("/clues?status=bogus")
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    missing = client.get("/api/v1/clues/nope")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/json")
