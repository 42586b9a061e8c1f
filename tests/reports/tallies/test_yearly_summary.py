"""年度责任追究汇总 (.docx/.xlsx): both formats hold the year's figures per institution; scoped; refusals."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from sanjianguan.reports.data.yearly import ACTIONS, ARTICLES, POINTS, yearly_figures
from sanjianguan.workflow_db.connection import Database
from tests.reports.tallies.helpers import error, sheet_rows, table_after, user, word_tables
from tests.reports.tallies.world import World
from tests.web.pages.helpers import sign_in
from tests.web.test_api import login

URL = "/api/v1/reports/yearly"


def _get(client: TestClient, who: str, fmt: str, region: str = "511500", year: int = 2026) -> bytes:
    params = {"region": region, "year": str(year), "format": fmt}
    response = client.get(URL, params=params, headers=login(client, who))
    assert response.status_code == 200, response.text
    return response.content


def test_both_formats_hold_the_years_figures(client: TestClient, world: World, database: Database) -> None:
    with database.sessions() as s:
        f = yearly_figures(s, user(database, "city"), "511500", 2026, today=date(2026, 4, 5))
    expected_situations = [
        [str(n), r.name, *(str(r.situations[a]) for a in ARTICLES), str(r.situations_total)]
        for n, r in [*enumerate(f.rows, 1), ("合计", f.total)]
    ]
    expected_actions = [
        [str(n), r.name, *(str(r.actions[a]) for a in ACTIONS), *(str(r.points[p]) for p in POINTS)]
        for n, r in [*enumerate(f.rows, 1), ("合计", f.total)]
    ]
    situations, actions = word_tables(_get(client, "city", "docx"))
    assert situations[1:] == expected_situations
    assert actions[1:] == expected_actions
    content = _get(client, "city", "xlsx")
    for sheet, expected in (("情形", expected_situations), ("处理与记分", expected_actions)):
        rows = table_after(sheet_rows(content, sheet), "序号")
        assert [[str(c) for c in row] for row in rows] == expected
    # the world: H1 art. 17 (proposed) and art. 19 (confirmed, lighter), its art. 17 rejected is out;
    # H2 art. 20 confirmed; H3 lies in another city. Points: H1 2 + staff 5 (DOC-X) + 5 (DOC-Y,
    # recorded, in force though unregistered); H2 staff 5.
    h1, h2 = f.rows
    assert (h1.name, h1.situations["17"], h1.situations["19"], h1.situations_total) == ("H1 医院", 1, 1, 2)
    assert (
        h1.actions["confirmed"],
        h1.actions["lighter"],
        h1.actions["pending"],
        h1.actions["interview"],
    ) == (
        1,
        1,
        1,
        1,
    )
    assert h1.points == {"institution_points": 2, "staff_points": 10, "staff_scored": 2}
    assert (h2.situations["20"], h2.actions["admin_penalty"], h2.points["staff_points"]) == (1, 1, 5)
    assert f.total.situations_total == 3


def test_scope_county_institution_and_roles(client: TestClient, world: World) -> None:
    county = word_tables(_get(client, "county", "docx", region="511502"))[0]
    assert [row[1] for row in county[1:]] == ["H1 医院", "合计"]
    outside = client.get(URL, params={"region": "511500", "year": "2026"}, headers=login(client, "county"))
    error(outside, 404, "region_not_found")
    hospital = client.get(
        URL, params={"region": "511502", "year": "2026"}, headers=login(client, "hospital1")
    )
    error(hospital, 404, "region_not_found")
    analyst = client.get(
        URL, params={"region": "510100", "year": "2026"}, headers=login(client, "other_city")
    )
    error(analyst, 403, "permission_denied")


def test_a_year_without_data_is_refused(client: TestClient, world: World) -> None:
    response = client.get(URL, params={"region": "511500", "year": "2025"}, headers=login(client, "city"))
    error(response, 404, "yearly_no_data")
    future = client.get(URL, params={"region": "511500", "year": "2027"}, headers=login(client, "city"))
    error(future, 400, "invalid_year")


def test_the_accountability_page_has_the_download_form(client: TestClient, world: World) -> None:
    sign_in(client, "county")
    html = client.get("/accountability").text
    assert 'action="/api/v1/reports/yearly"' in html
    assert 'name="region" value="511502"' in html
    sign_in(client, "hospital1")
    assert 'action="/api/v1/reports/yearly"' not in client.get("/accountability").text
