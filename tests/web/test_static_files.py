"""`/static` from the package: files served with cache headers, anything else left to the router."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sanjianguan.context import Context
from sanjianguan.web.app import create_app
from sanjianguan.web.static_files import IMMUTABLE, REVALIDATE, cache_control, install_docs, static_path
from sanjianguan.web.vendor import asset_url
from sanjianguan.workflow_db.connection import Database

NOT_FOUND = {"detail": {"code": "http_404", "message_zh": "资源不存在", "message_en": "not found"}}


@pytest.fixture
def client(ctx: Context) -> TestClient:
    return TestClient(create_app(ctx, database=Database.from_url("sqlite://")))


def test_a_vendored_file_is_served_cached_and_revalidated(client: TestClient) -> None:
    url = asset_url("htmx.org", "htmx.min.js")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == IMMUTABLE
    assert response.headers["x-content-type-options"] == "nosniff"
    again = client.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    head = client.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(response.content))


def test_the_manifest_is_revalidated_not_cached_for_a_year(client: TestClient) -> None:
    response = client.get("/static/vendor/manifest.toml")
    assert response.status_code == 200
    assert response.headers["cache-control"] == REVALIDATE


@pytest.mark.parametrize(
    "path",
    ["/static/vendor/nothing.js", "/static/", "/static/vendor", "/static/vendor/../../app.py", "/staticx/a"],
)
def test_what_is_not_a_file_gets_the_routers_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_a_write_to_static_is_not_served(client: TestClient) -> None:
    response = client.post(asset_url("htmx.org", "htmx.min.js"), content=b"x")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_no_path_escapes_the_static_folder() -> None:
    def scope(path: str, method: str = "GET") -> dict[str, object]:
        return {"type": "http", "method": method, "path": path, "root_path": ""}

    assert static_path(scope("/static/vendor/a/b.js")) == "vendor/a/b.js"
    assert static_path(scope("/static/../web/app.py")) == "../web/app.py"  # StaticFiles refuses it
    assert static_path(scope("/static")) is None
    assert static_path(scope("/static/")) is None
    assert static_path(scope("/api/v1/me")) is None
    assert static_path(scope("/static/a.js", "POST")) is None
    assert static_path({**scope("/sjg/static/a.js"), "root_path": "/sjg"}) == "a.js"


def test_cache_control_is_long_only_inside_a_versioned_vendor_folder() -> None:
    assert cache_control("vendor/echarts-6.1.0/echarts.min.js") == IMMUTABLE
    assert cache_control("vendor/manifest.toml") == REVALIDATE
    assert cache_control("app.css") == REVALIDATE
    assert cache_control("vendor/a/b/c.js") == REVALIDATE


def test_behind_a_path_prefix_the_docs_name_prefixed_assets(ctx: Context) -> None:
    app = create_app(ctx, database=Database.from_url("sqlite://"))
    client = TestClient(app, root_path="/sjg")
    page = client.get("/docs").text
    assert f'src="/sjg{asset_url("swagger-ui-dist", "swagger-ui-bundle.js")}"' in page
    assert "url: '/sjg/openapi.json'" in page
    assert f'src="/sjg{asset_url("redoc", "redoc.standalone.js")}"' in client.get("/redoc").text


def test_an_app_with_fastapis_cdn_docs_is_refused() -> None:
    with pytest.raises(ValueError, match="CDN"):
        install_docs(FastAPI())
