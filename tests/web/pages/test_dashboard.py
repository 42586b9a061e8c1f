"""首页/驾驶舱: the page's numbers are the API's, for each user's jurisdiction."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient

from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Clue, Role
from tests.web.pages.helpers import sign_in
from tests.workflow_db.fixtures import _user, sample_clue

DATA = re.compile(r'<script type="application/json" id="dashboard-data">(.*?)</script>', re.S)
ROW = re.compile(r'<tr data-key="([a-z_]+)"><td>[^<]+</td><td class="num">(\d+)</td></tr>')


def _page(client: TestClient, query: str = "") -> tuple[dict[str, Any], dict[str, int]]:
    response = client.get("/" + query)
    assert response.status_code == 200, response.text
    found = DATA.search(response.text)
    assert found
    return json.loads(found.group(1)), {key: int(n) for key, n in ROW.findall(response.text)}


def _api(client: TestClient, query: str = "") -> dict[str, Any]:
    response = client.get("/api/v1/statistics/clues" + query)  # the same cookie session
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _more_clues(database: Database) -> None:
    with database.transaction() as session:
        session.add_all(
            [
                sample_clue("c4", "H1", "511502", period="2026-03"),
                sample_clue("c5", "H2", "511503", period="2026-03"),
                sample_clue("c6", "H2", "511503", period="2026-03"),
            ]
        )
        clue = session.get(Clue, "c6")
        assert clue is not None
        clue.status = "pushed"


def test_page_numbers_equal_the_api_for_each_jurisdiction(client: TestClient, database: Database) -> None:
    _more_clues(database)
    totals = {}
    for username in ("city", "county", "hospital2"):
        client.cookies.clear()
        sign_in(client, username)
        for query in ("", "?period=2026-02"):
            data, rows = _page(client, query)
            api = _api(client, query)
            assert data == api, (username, query)
            table = {row["key"]: row["count"] for row in api["by_status"] + api["by_category"]}
            assert rows == table, (username, query)
        totals[username] = _api(client)["total"]
    # the default month is the latest with clues; each user counts only their own
    assert totals == {"city": 3, "county": 1, "hospital2": 2}


def test_status_counts_follow_the_clues(client: TestClient, database: Database) -> None:
    _more_clues(database)
    sign_in(client, "city")
    data, _ = _page(client, "?period=2026-03")
    status = {row["key"]: row["count"] for row in data["by_status"]}
    assert data["period"] == "2026-03"
    assert status["generated"] == 2
    assert status["pushed"] == 1


def test_a_bad_month_is_named_by_its_field_and_kept(client: TestClient) -> None:
    sign_in(client, "county")
    response = client.get("/?period=2026-13")
    assert response.status_code == 400
    assert 'id="period-error">结算月应为 YYYY-MM 格式' in response.text
    assert 'value="2026-13"' in response.text
    assert client.get("/api/v1/statistics/clues?period=2026-13").status_code == 422


def test_a_user_without_clues_sees_a_notice(client: TestClient, database: Database) -> None:
    with database.transaction() as session:
        _user(session, "far_county", Role.OFFICE, "513401", None)  # no clue lies there
    sign_in(client, "far_county")
    response = client.get("/")
    assert response.status_code == 200
    assert "辖区内暂无线索" in response.text
    assert "echarts" not in response.text


def test_the_layout_names_the_user_role_and_jurisdiction(client: TestClient) -> None:
    sign_in(client, "hospital1")
    html = client.get("/").text
    assert "医疗机构" in html
    assert "H1 医院（H1）" in html
    assert 'action="/logout"' in html
    assert re.search(r'<script src="/static/vendor/echarts-[\d.]+/echarts.min.js"></script>', html)
    assert "<script>" not in html  # no inline script: the CSP allows files of this site only
