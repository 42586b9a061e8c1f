"""What a browser test watches: pages opened as a person would, and what a person would not see
(console errors, uncaught page errors, requests to any host but the server)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sanjianguan.demo.org import DEMO_PASSWORD

VIEWPORT = {"width": 1366, "height": 768}  # the size the layout is made for
PHONE = {"width": 375, "height": 740}
UNLABELLED_FIELDS = "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea"
UNLABELLED = """fields => fields
  .filter(f => f.offsetParent !== null)
  .filter(f => !(f.labels && f.labels.length) && !f.getAttribute('aria-label')
               && !f.getAttribute('aria-labelledby'))
  .map(f => f.id || f.name)"""


@dataclass
class Watch:
    """The pages a test opens, each user in a context of its own, and what went wrong in them."""

    chromium: Any
    base_url: str
    problems: list[str] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)
    urls: list[str] = field(default_factory=list)

    def page(self, viewport: dict[str, int] | None = None) -> Any:
        """A new page in a fresh context (no cookies), watched."""
        context = self.chromium.new_context(viewport=viewport or VIEWPORT, locale="zh-CN")
        page = context.new_page()
        page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: self.problems.append(str(error)))
        page.on("request", self._request)
        return page

    def _request(self, request: Any) -> None:
        self.hosts.add(urlsplit(request.url).netloc)
        self.urls.append(request.url)

    def signed_in(self, username: str, viewport: dict[str, int] | None = None) -> Any:
        """A page of `username`, logged in through the login form (the home page open)."""
        page = self.page(viewport)
        page.goto(self.base_url + "/login")
        page.fill("#username", username)
        page.fill("#password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(self.base_url + "/")
        return page

    def labelled(self, page: Any) -> None:
        """Every visible field of the page has a label (its own <label>, aria-label or
        aria-labelledby); one that has none is recorded as a problem."""
        missing = page.eval_on_selector_all(UNLABELLED_FIELDS, UNLABELLED)
        self.problems.extend(f"{page.url}: no label for {name}" for name in missing)

    def server_only(self) -> bool:
        return self.hosts == {urlsplit(self.base_url).netloc}
