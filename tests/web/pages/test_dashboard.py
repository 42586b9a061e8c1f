"""首页/驾驶舱: the page's numbers are the API's, for each user's jurisdiction."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from sanjianguan.context import Context
from sanjianguan.indicators.results_table import INDICATOR_VALUES_DDL
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import Clue, Role
from tests.analytic_store.storekit import add
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


# ---- the full dashboard: every figure on the page is the API's, for two jurisdictions

RULE_ROW = re.compile(r'<tr data-rule="([^"]+)"><th scope="row">[^<]+</th><td class="num">(\d+)</td></tr>')
INST_ROW = re.compile(
    r'<tr data-institution="([^"]+)"><th scope="row">([^<]+)</th><td class="num">(\d+)</td></tr>'
)
AMOUNT_ROW = re.compile(
    r'<tr data-amount="([a-z_]+)"><th scope="row">[^<]+</th><td class="num" data-value="([\d.]+)">'
)
MONTH_ROW = re.compile(r'<tr data-month="([\d-]+)"><th scope="row">[^<]+</th><td class="num">(\d+)</td>')
REPORTING_ROW = re.compile(
    r'<tr data-reporting="([a-z_]+)"><th scope="row">[^<]+</th><td class="num">(\d+)</td>'
)


def _store(ctx: Context) -> None:
    """The analytic store: H1 reported February on time, H2 late; one failing indicator each."""
    with ctx.store() as con:
        add(con, "institutions", institution_id="H1", connected_on=date(2024, 1, 1))
        add(con, "institutions", institution_id="H2", connected_on=date(2024, 1, 1))
        add(
            con,
            "batches",
            batch_id="B1",
            institution_id="H1",
            period="2026-02",
            received_at=datetime(2026, 3, 2),
        )
        add(
            con,
            "batches",
            batch_id="B2",
            institution_id="H2",
            period="2026-02",
            received_at=datetime(2026, 3, 9),
        )
        con.execute(INDICATOR_VALUES_DDL)
        for inst in ("H1", "H2", "H2"):
            con.execute(
                "INSERT INTO indicator_values (period, period_kind, level, institution_id, indicator, "
                "failing) VALUES ('2026-02', 'month', 'institution', ?, 'I1', true)",
                [inst],
            )


def test_every_figure_equals_the_api_for_two_jurisdictions(
    client: TestClient, database: Database, ctx: Context
) -> None:
    _more_clues(database)
    _store(ctx)
    seen = {}
    for username in ("city", "county"):
        client.cookies.clear()
        sign_in(client, username)
        for query in ("?period=2026-02", "?period=2026-03"):
            html = client.get("/" + query).text
            data, _ = _page(client, query)
            api = _api(client, query)
            assert data == api, (username, query)
            assert dict(RULE_ROW.findall(html)) == {r["key"]: str(r["count"]) for r in api["by_rule"]}
            assert [(k, n, int(c)) for k, n, c in INST_ROW.findall(html)] == [
                (r["key"], r["label_zh"], r["count"]) for r in api["by_institution"]
            ]
            assert dict(AMOUNT_ROW.findall(html)) == {r["key"]: r["amount"] for r in api["amounts"]}
            assert dict(MONTH_ROW.findall(html)) == {p["period"]: str(p["count"]) for p in api["trend"]}
            assert dict(REPORTING_ROW.findall(html)) == {r["key"]: str(r["count"]) for r in api["reporting"]}
            assert f'data-count="{api["overdue"]}"' in html
            assert f'data-count="{api["failing_indicators"]}"' in html
            assert f'data-due="{api["self_check"]["due"]}"' in html
            assert f'data-sampled="{api["sampling"]["sampled"]}"' in html
            seen[username, query] = api
    city, county = seen["city", "?period=2026-02"], seen["county", "?period=2026-02"]
    assert city["failing_indicators"] == 3  # H1 and H2 (two counties)
    assert county["failing_indicators"] == 1  # H1 only
    assert {r["key"]: r["count"] for r in city["reporting"]}["late"] == 1
    assert {r["key"]: r["count"] for r in county["reporting"]}["late"] == 0
    assert [r["key"] for r in city["by_institution"]] == ["H1", "H2"]
    assert [r["key"] for r in county["by_institution"]] == ["H1"]
    assert Decimal(city["amount_total"]) == Decimal("2469.12")
    assert seen["city", "?period=2026-03"]["trend"][-1] == {
        "period": "2026-03",
        "count": 3,
        "amount": "3703.68",
    }


def test_overdue_and_indicators_link_to_their_lists(client: TestClient) -> None:
    sign_in(client, "county")
    html = client.get("/").text
    assert 'href="/clues?overdue=1"' in html
    client.cookies.clear()
    sign_in(client, "hospital1")
    html = client.get("/").text
    assert "/clues?overdue=1" not in html  # an institution may not read the overdue list
    assert client.get("/api/v1/statistics/clues").json()["overdue"] is None


def test_an_expert_sees_no_institution(client: TestClient, database: Database, ctx: Context) -> None:
    _store(ctx)
    sign_in(client, "expert")
    response = client.get("/?period=2026-02")
    assert response.status_code == 200
    html = response.text
    assert 'id="by-institution"' not in html
    assert 'id="reporting"' not in html
    for name in ("H1", "H2", "H3"):
        assert name not in html
    api = _api(client, "?period=2026-02")
    assert api["total"] == 1
    assert api["by_institution"] is None
    assert api["failing_indicators"] is None


def test_the_failing_indicators_link_only_for_those_who_may_open_the_page(
    client: TestClient, ctx: Context
) -> None:
    _store(ctx)
    for username, linked in (("county", True), ("investigator", False)):
        client.cookies.clear()
        sign_in(client, username)
        html = client.get("/?period=2026-02").text
        tile = html[html.index('id="tile-failing"') : html.index("</li>", html.index('id="tile-failing"'))]
        assert ('href="/indicators"' in tile) is linked, username
