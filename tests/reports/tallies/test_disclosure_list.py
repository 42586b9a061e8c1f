"""附件5 公示表 (.xlsx): row for row the public page's list; unpublished only as the office's preview."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from sanjianguan.reports.data.disclosure import COLUMNS, disclosure_figures
from sanjianguan.workflow_db.connection import Database
from tests.reports.tallies.helpers import error, sheet_rows, table_after, user
from tests.reports.tallies.world import World
from tests.web.test_api import login
from tests.workflow_db.fixtures import Clock

URL = "/api/v1/reports/disclosure"
Q1 = {"region": "511502", "quarter": "2026-Q1"}
PAGE_ROW = re.compile(
    r'<tr data-institution="[^"]+">\s*<td class="num">(\d+)</td>\s*<th scope="row">([^<]+)</th>\s*'
    r'<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>\s*'
    r'<td class="num">(\d+)</td>'
)


def _page_rows(client: TestClient, region: str) -> list[tuple[object, ...]]:
    html = client.get("/public/disclosure?quarter=2026-Q1").text
    section = html.split(f'data-region="{region}"', 1)[1].split("</section>", 1)[0]
    assert f'href="{URL}?region={region}&amp;quarter=2026-Q1"' in section  # the page's download button
    return [(int(n), name, *map(int, figures)) for n, name, *figures in PAGE_ROW.findall(section)]


def test_the_list_is_the_public_pages_row_for_row(
    client: TestClient, world: World, database: Database
) -> None:
    response = client.get(URL, params=Q1)  # no login: public once published
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    rows = sheet_rows(response.content)
    assert "2026年第一季度" in str(rows[0][0])
    assert "预览" not in str(rows[0][0])
    body = table_after(rows, "序号")
    page = _page_rows(client, "511502")
    assert body[:-1] == page
    assert page == [(1, "H1 医院", 1, 2, 1, 5)]  # DOC-Y never registered; H2 lies in another county
    with database.sessions() as s:
        figures = disclosure_figures(s, None, "511502", "2026-Q1", today=date(2026, 4, 5))
    assert body[-1] == ("合计", "1 家机构", *(figures.total(c) for c in COLUMNS))
    assert not any("DOC-" in str(cell) for row in rows for cell in row)  # no staff identity


def test_an_unpublished_quarter_is_the_offices_preview_only(
    client: TestClient, world: World, database: Database, clock: Clock
) -> None:
    city_q1 = {"region": "511503", "quarter": "2026-Q1"}  # H2's county: scored, not published
    error(client.get(URL, params=city_q1), 404, "disclosure_not_found")  # the public
    error(client.get(URL, params=city_q1, headers=login(client, "hospital2")), 404, "disclosure_not_found")
    error(client.get(URL, params=city_q1, headers=login(client, "county")), 404, "disclosure_not_found")
    preview = client.get(URL, params=city_q1, headers=login(client, "city"))
    assert preview.status_code == 200, preview.text
    rows = sheet_rows(preview.content)
    assert "未公示" in str(rows[0][0])
    with database.sessions() as s:
        figures = disclosure_figures(s, user(database, "city"), "511503", "2026-Q1", today=date(2026, 4, 5))
    assert not figures.published
    assert table_after(rows, "序号")[:-1] == [(1, "H2 医院", 0, 0, 1, 5)]
    q2 = {"region": "511503", "quarter": "2026-Q2"}
    error(client.get(URL, params=q2, headers=login(client, "city")), 400, "quarter_not_over")
    empty = {"region": "510104", "quarter": "2026-Q1"}  # H3: nothing scored
    error(client.get(URL, params=empty, headers=login(client, "province")), 404, "nothing_to_disclose")


def test_the_office_page_links_each_published_list(client: TestClient, world: World) -> None:
    from tests.web.pages.helpers import sign_in

    sign_in(client, "county")
    html = client.get("/points/disclosures").text
    assert f'href="{URL}?region=511502&amp;quarter=2026-Q1"' in html
