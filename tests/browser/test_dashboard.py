"""The dashboard in a real browser, for two jurisdictions: Debian's Chromium on the tiny demo.

A city office and a county office log in through the form and see their dashboards; the
test checks the charts are drawn, the numbers on the page are the API's for the same user
(the status and category tables, the total, the amount), the console is clean and no
request went to any host but the server. (The loop test takes the dashboard's screenshot,
once the month has been worked.)
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import DemoSite
from tests.browser.watch import Watch

pytestmark = pytest.mark.browser
ROWS = "rows => rows.map(r => [r.dataset.key, Number(r.querySelector('.num').textContent)])"


def _table(page: Any, table_id: str) -> dict[str, int]:
    return dict(page.eval_on_selector_all(f"#{table_id} tbody tr", ROWS))


@pytest.mark.parametrize(("username", "name"), [("office.city", "郑主任"), ("office.cuiping", "张主任")])
def test_a_dashboard_shows_the_api_numbers_of_its_jurisdiction(
    chromium: Any, demo_site: DemoSite, username: str, name: str
) -> None:
    watch = Watch(chromium, demo_site.base_url)
    page = watch.page()
    page.goto(demo_site.base_url + "/")
    assert page.url.startswith(demo_site.base_url + "/login")  # not signed in yet
    page.close()
    page = watch.signed_in(username)
    page.wait_for_selector("#by-status-chart canvas")
    page.wait_for_selector("#by-category-chart canvas")
    assert page.title().startswith("首页")
    assert name in page.inner_text("header")

    api = page.request.get(demo_site.base_url + "/api/v1/statistics/clues").json()  # the same cookie
    assert api["total"] > 0
    assert _table(page, "by-status") == {row["key"]: row["count"] for row in api["by_status"]}
    assert _table(page, "by-category") == {row["key"]: row["count"] for row in api["by_category"]}
    assert int(page.inner_text("#total")) == api["total"]
    embedded = json.loads(page.inner_text("#dashboard-data"))
    assert embedded["total"] == api["total"]
    page.context.close()

    assert watch.problems == []
    assert watch.server_only()
