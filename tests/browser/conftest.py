"""Browser tests: Debian's Chromium driven by Playwright (the driver only; no browser download).

`chromium` is launched once per module (not per session: Playwright's sync API keeps an event
loop running in the main thread while it is open, and later tests that call `asyncio.run()`
must not find it). `demo_site` is one tiny demo served on loopback for the whole run: three
months, the walked month as `sjg demo` leaves it and the latest month's clues generated but
not pushed (`DemoOptions(push=False)`), so that a test can push them through the pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from sanjianguan.clock import clock_on
from sanjianguan.context import Context
from sanjianguan.demo import DemoOptions, run_demo
from sanjianguan.web.app import create_app
from tests.security.serving import serving
from tests.services import browser

TODAY = date(2026, 6, 20)
PUSHABLE = "2026-05"  # the latest month: its clues generated, not pushed (the loop test pushes them)


@dataclass(frozen=True)
class DemoSite:
    ctx: Context
    base_url: str


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    """The tiny demo (`PUSHABLE` not pushed), served on a free loopback port."""
    ctx = Context.open(tmp_path_factory.mktemp("browser") / "sjg-data")
    run_demo(ctx, DemoOptions(scale="tiny", months=3, today=TODAY, push=False), lambda _: None)
    with serving(create_app(ctx, clock=clock_on(TODAY))) as port:
        yield DemoSite(ctx, f"http://127.0.0.1:{port}")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, launched once (closed, with Playwright's loop, after the module)."""
    executable = browser()
    if executable is None:
        pytest.skip("no Chromium")  # the top conftest already skips (or fails under CI=true)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()
