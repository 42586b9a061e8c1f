"""Offline (内网): the API docs load nothing from another host; every vendored file is listed and served.

No browser here (a later suite drives Chromium): the pages' HTML is parsed instead, every
`src`/`href`/`url(...)` and every URL in their inline scripts must stay on the server, and
the Content-Security-Policy must name no other host.
"""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.testclient import TestClient
from starlette.routing import Route

import sanjianguan.web
from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.web.static_files import DOCS_CSP, IMMUTABLE
from sanjianguan.web.vendor import MANIFEST, VENDOR_DIR, manifest, read_manifest, render_manifest
from sanjianguan.workflow_db.connection import Database

DOC_PAGES = ["/docs", "/redoc", "/docs/oauth2-redirect"]
# Licences a vendored file may carry without a review of this list (permissive, SPDX ids).
PERMISSIVE = {"MIT", "Apache-2.0", "0BSD", "BSD-2-Clause", "BSD-3-Clause", "ISC"}
EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)  # http://x, https://x, //x
LOCAL_SCHEMES = ("data:", "blob:", "#", "javascript:void")
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)", re.IGNORECASE)
TEXT_URL = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}|['\"(]\s*//[^/\s]", re.IGNORECASE)


@pytest.fixture
def app(ctx: Context) -> FastAPI:
    # No lifespan is run (no `with`): the database is never touched by these pages.
    return create_app(ctx, database=Database.from_url("sqlite://"))


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


class References(HTMLParser):
    """Every attribute value of the page, and the text of its <script> and <style> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.attributes: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.inline: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes += [(tag, name, value) for name, value in attrs if value is not None]
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.inline.append(data)

    def urls(self) -> list[str]:
        """The values of URL attributes and every `url(...)` of styles."""
        found = [v for _t, name, v in self.attributes if name in ("src", "href", "spec-url", "action")]
        for _t, name, value in self.attributes:
            if name == "style":
                found += CSS_URL.findall(value)
        for text in self.inline:
            found += CSS_URL.findall(text)
        return found


def references(html: str) -> References:
    parser = References()
    parser.feed(html)
    return parser


def outside_references(html: str) -> list[str]:
    """What in a page would make a browser contact another host."""
    page = references(html)
    bad = [url for url in page.urls() if EXTERNAL.match(url)]
    bad += [f"{tag} {name}={value}" for tag, name, value in page.attributes if EXTERNAL.match(value)]
    for text in page.inline:
        bad += TEXT_URL.findall(text)
    return bad


def test_the_checker_finds_every_kind_of_outside_reference() -> None:
    """The check itself: each way a page can point elsewhere is caught; local ones are not."""
    assert outside_references('<link href="/static/a.css"><script src="/static/a.js"></script>') == []
    assert outside_references("<div style=\"background:url('/static/i.png')\"></div>") == []
    for page in [
        '<script src="https://cdn.jsdelivr.net/npm/x.js"></script>',
        '<link rel="stylesheet" href="//fonts.googleapis.com/css">',
        "<img src='HTTP://example.org/i.png'>",
        "<style>body{background:url(//cdn.example.org/x.png)}</style>",
        '<div style="background: url(https://x.org/i.png)"></div>',
        "<script>SwaggerUIBundle({validatorUrl: 'https://validator.swagger.io/validator'})</script>",
        "<script>fetch('//evil.example/x')</script>",
        '<redoc spec-url="https://api.example.org/openapi.json"></redoc>',
    ]:
        assert outside_references(page), page


def test_fastapis_default_docs_pages_would_fail() -> None:
    """What the check guards against: FastAPI's own pages load Swagger UI, ReDoc and fonts from CDNs."""
    swagger = get_swagger_ui_html(openapi_url="/openapi.json", title="t").body.decode()
    redoc = get_redoc_html(openapi_url="/openapi.json", title="t").body.decode()
    assert any("cdn.jsdelivr.net" in ref for ref in outside_references(swagger))
    assert any("fonts.googleapis.com" in ref for ref in outside_references(redoc))


@pytest.mark.parametrize("path", DOC_PAGES)
def test_docs_pages_reference_no_other_host(client: TestClient, path: str) -> None:
    response = client.get(path)  # public: no login, as before
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert outside_references(response.text) == []
    assert response.headers["content-security-policy"] == DOCS_CSP


def test_the_docs_load_their_assets_from_this_server(client: TestClient) -> None:
    """Every script, style and icon the docs pages name is a vendored file (or the spec), served here."""
    listed = {asset.url(f.path) for asset in manifest().values() for f in asset.files} | {"/openapi.json"}
    seen = set()
    for path in DOC_PAGES:
        for url in references(client.get(path).text).urls():
            if url.startswith(LOCAL_SCHEMES):
                continue
            assert url in listed, f"{path} loads {url}, which is not a vendored file"
            assert client.get(url).status_code == 200, url
            seen.add(url)
    swagger, redoc = manifest()["swagger-ui-dist"], manifest()["redoc"]
    assert {
        swagger.url("swagger-ui-bundle.js"),
        swagger.url("swagger-ui.css"),
        swagger.url("favicon-32x32.png"),
        redoc.url("redoc.standalone.js"),
    } <= seen


def test_swagger_and_redoc_are_configured_offline(client: TestClient) -> None:
    swagger = client.get("/docs").text
    assert "SwaggerUIBundle(" in swagger
    assert "url: '/openapi.json'" in swagger
    assert '"validatorUrl": null' in swagger  # no badge fetched from validator.swagger.io
    assert "医疗“三监管”平台 API - Swagger UI" in swagger  # the same page as before, same title
    redoc = client.get("/redoc").text
    assert '<redoc spec-url="/openapi.json">' in redoc
    assert "fonts.googleapis.com" not in redoc
    assert "fonts.gstatic.com" not in redoc
    assert "cdn.jsdelivr.net" not in swagger + redoc


def test_the_content_security_policy_names_no_other_host() -> None:
    allowed = {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"}
    directives = [d.split() for d in DOCS_CSP.split(";")]
    assert ["default-src", "'self'"] in directives
    for name, *sources in directives:
        assert set(sources) <= allowed, (name, sources)
    names = [name for name, *_ in directives]
    assert {"script-src", "style-src", "img-src", "font-src", "connect-src"} <= set(names)


def test_fastapis_cdn_docs_are_off_and_ours_are_plain_public_routes(app: FastAPI) -> None:
    assert app.docs_url is None
    assert app.redoc_url is None
    paths = {route.path for route in app.routes if isinstance(route, Route)}
    assert {"/docs", "/redoc", "/docs/oauth2-redirect", "/openapi.json"} <= paths


def test_every_vendored_file_is_served_with_its_sha256(client: TestClient) -> None:
    count = 0
    for asset in manifest().values():
        for file in asset.files:
            response = client.get(asset.url(file.path))
            assert response.status_code == 200, asset.url(file.path)
            assert hashlib.sha256(response.content).hexdigest() == file.sha256, asset.url(file.path)
            assert response.headers["cache-control"] == IMMUTABLE
            count += 1
    assert count >= 15


def test_the_manifest_lists_exactly_the_files_in_vendor() -> None:
    listed = {f"{asset.folder}/{f.path}" for asset in manifest().values() for f in asset.files}
    present = {str(p.relative_to(VENDOR_DIR)) for p in VENDOR_DIR.rglob("*") if p.is_file() and p != MANIFEST}
    assert present - listed == set(), "不在清单中 / files in vendor/ not in manifest.toml"
    assert listed - present == set(), "清单中的文件不存在 / listed files missing"
    folders = {p.name for p in VENDOR_DIR.iterdir() if p.is_dir()}
    assert folders == {asset.folder for asset in manifest().values()}


def test_every_committed_file_has_the_manifest_sha256() -> None:
    for asset in manifest().values():
        for file in asset.files:
            data = (VENDOR_DIR / asset.folder / file.path).read_bytes()
            assert hashlib.sha256(data).hexdigest() == file.sha256, f"{asset.folder}/{file.path}"


def test_every_package_carries_its_licence() -> None:
    for asset in manifest().values():
        assert asset.licence in PERMISSIVE, f"{asset.name}: licence {asset.licence} needs a review"
        assert asset.licence_files, f"{asset.name}: no licence file"
        assert any(f.path.startswith("LICENSE") for f in asset.licence_files), asset.name
        for file in asset.licence_files:
            assert (VENDOR_DIR / asset.folder / file.path).stat().st_size > 0
        assert asset.source == f"{asset.name}-{asset.version}.tgz"  # `npm pack name@version`
        assert asset.integrity.startswith("sha512-")


def test_the_pinned_packages_are_the_ones_the_ui_and_docs_need() -> None:
    assert set(manifest()) == {"htmx.org", "echarts", "swagger-ui-dist", "redoc"}
    for asset in manifest().values():
        assert re.fullmatch(r"\d+\.\d+\.\d+", asset.version), f"{asset.name} {asset.version} is not exact"


def test_the_committed_manifest_is_what_the_script_writes() -> None:
    """`scripts/vendor-assets` rewrites the manifest with render_manifest: no hand edits drift."""
    text = MANIFEST.read_text(encoding="utf-8")
    assert render_manifest(read_manifest(MANIFEST)) == text


def test_the_upgrade_script_is_executable() -> None:
    script = Path(__file__).resolve().parents[2] / "scripts" / "vendor-assets"
    assert script.stat().st_mode & 0o111


def test_no_template_uses_what_the_page_policy_refuses() -> None:
    """The pages' CSP allows no inline style attribute and no inline script (a browser would
    refuse them with a console error): styles live in static/app/*.css, scripts in *.js."""
    templates = Path(sanjianguan.web.__file__).resolve().parent / "templates"
    inline_script = re.compile(r'<script(?![^>]*\b(?:src=|type="application/json"))[^>]*>')
    refused = {
        str(path.relative_to(templates)): found
        for path in sorted(templates.rglob("*.html"))
        if (found := re.findall(r'\sstyle="|\son[a-z]+="', text := path.read_text(encoding="utf-8")))
        or inline_script.search(text)
    }
    assert refused == {}
