"""The dashboard in a real browser: Debian's Chromium driven by Playwright, on a tiny demo.

One browser for the run of this module (Playwright's driver only: no browser is
downloaded; the Chromium of the `chromium` package is launched by path). Module-scoped, not
session-scoped: Playwright's sync API keeps an event loop running in the main thread while it
is open, and later tests that call `asyncio.run()` must not find it. The app serves a tiny demo data
folder on loopback. A demo city office user logs in through the form and sees the
dashboard; the test checks the charts are drawn, the console is clean, no request went to
any host but the server, and the numbers on the page are the API's. It saves
docs/screenshots/dashboard.png (1366×768, the size the layout is made for).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from sanjianguan.clock import clock_on
from sanjianguan.context import Context
from sanjianguan.demo import DemoOptions, run_demo
from sanjianguan.demo.org import DEMO_PASSWORD
from sanjianguan.web.app import create_app
from tests.security.serving import serving
from tests.services import browser

pytestmark = pytest.mark.browser
TODAY = date(2026, 6, 20)
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "dashboard.png"
VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A tiny three-month demo, served on a free loopback port."""
    ctx = Context.open(tmp_path_factory.mktemp("browser") / "sjg-data")
    run_demo(ctx, DemoOptions(scale="tiny", months=3, today=TODAY), lambda _: None)
    with serving(create_app(ctx, clock=clock_on(TODAY))) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, launched once (closed, with Playwright's loop, after this module)."""
    executable = browser()
    if executable is None:
        pytest.skip("no Chromium")  # the conftest already skips (or fails under CI=true)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


def test_the_city_office_sees_its_dashboard(chromium: Any, base_url: str) -> None:
    context = chromium.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    hosts: set[str] = set()
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))

    page.goto(base_url + "/")
    assert page.url.startswith(base_url + "/login")
    page.fill("#username", "office.city")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base_url + "/")
    page.wait_for_selector("#by-status-chart canvas")
    page.wait_for_selector("#by-category-chart canvas")

    assert page.title().startswith("首页")
    assert "郑主任" in page.inner_text("header")
    api = page.request.get(base_url + "/api/v1/statistics/clues").json()  # the same cookie session
    shown = page.eval_on_selector_all(
        "table.counts tbody tr",
        "rows => rows.map(r => [r.dataset.key, Number(r.querySelector('.num').textContent)])",
    )
    assert api["total"] > 0
    assert dict(shown) == {row["key"]: row["count"] for row in api["by_status"] + api["by_category"]}
    assert int(page.inner_text("#total")) == api["total"]
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    context.close()

    assert problems == []
    assert hosts == {urlsplit(base_url).netloc}
