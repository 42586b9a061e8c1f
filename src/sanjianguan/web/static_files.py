"""静态资源与离线接口文档: `/static` served from the package, and `/docs` `/redoc` that need no CDN.

On an isolated government network (内网) nothing may be loaded from another host, so:

- `/static/...` is answered from the installed package's `web/static/` folder (vendored
  third-party files in `static/vendor/`, see `web/vendor.py`). The versioned vendor files
  are cached for a year (`immutable`: a new version is a new folder); anything else is
  revalidated. It is an ASGI middleware in front of the router, not a mounted route, so
  the route table keeps only the API and the docs routes (the authorization matrix and
  the body guard walk it); a path with no file goes on to the router's JSON 404.
- FastAPI's own `/docs` and `/redoc` load Swagger UI and ReDoc from jsDelivr and Google
  Fonts; they are turned off (`docs_url=None, redoc_url=None`) and replaced by the same
  pages built on the vendored files, at the same paths, public as before. The pages also
  carry a Content-Security-Policy allowing the server's own origin only, so a browser
  blocks what a bundle itself would fetch from outside (ReDoc's sidebar logo from
  cdn.redoc.ly, Swagger UI's online validator badge).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from sanjianguan.web.vendor import STATIC_DIR, STATIC_URL, manifest

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DOCS_URL, REDOC_URL = "/docs", "/redoc"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Own origin only; inline script/style because the docs pages start Swagger UI inline and
# both bundles set styles at run time; blob: for ReDoc's search worker; data: for icons.
DOCS_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
# Swagger UI sends the OpenAPI document's URL to validator.swagger.io unless told not to.
SWAGGER_PARAMETERS: dict[str, Any] = {"validatorUrl": None}


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def static_path(scope: Scope) -> str | None:
    """The file path under static/ that an HTTP GET/HEAD asks for, or None (not ours)."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return None
    path = _route_path(scope)
    if not path.startswith(STATIC_URL + "/"):
        return None
    parts = [p for p in path[len(STATIC_URL) + 1 :].split("/") if p]
    return os.path.normpath(os.path.join(*parts)) if parts else None


def cache_control(relative: str) -> str:
    """A year for `vendor/<name>-<version>/<file>` (immutable), revalidation for the rest."""
    parts = relative.replace(os.sep, "/").split("/")
    return IMMUTABLE if len(parts) == 3 and parts[0] == "vendor" else REVALIDATE


class StaticAssets:
    """ASGI middleware: answers GET/HEAD `/static/<file>` from `directory`; the rest goes on."""

    def __init__(self, app: ASGIApp, directory: str | os.PathLike[str] = STATIC_DIR) -> None:
        self.app = app
        self.files = StaticFiles(directory=directory)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        relative = static_path(scope)
        if relative is None:
            await self.app(scope, receive, send)
            return
        try:
            response = await self.files.get_response(relative, scope)
        except HTTPException:  # no such file (or a path outside the folder): the router's 404
            await self.app(scope, receive, send)
            return
        response.headers["Cache-Control"] = cache_control(relative)
        response.headers["X-Content-Type-Options"] = "nosniff"
        await response(scope, receive, send)


def _offline(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_CSP
    page.headers["X-Content-Type-Options"] = "nosniff"
    return page


def install_docs(app: FastAPI) -> None:
    """`/docs` (Swagger UI), its OAuth2 redirect page and `/redoc`, on the vendored assets."""
    if app.docs_url or app.redoc_url:
        raise ValueError("create the app with docs_url=None, redoc_url=None: its docs load from a CDN")
    if not app.openapi_url:
        return
    openapi_url = app.openapi_url
    swagger, redoc = manifest()["swagger-ui-dist"], manifest()["redoc"]
    redirect_url = app.swagger_ui_oauth2_redirect_url
    parameters = {**SWAGGER_PARAMETERS, **(app.swagger_ui_parameters or {})}

    async def swagger_ui_html(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return _offline(
            get_swagger_ui_html(
                openapi_url=root + openapi_url,
                title=f"{app.title} - Swagger UI",
                swagger_js_url=root + swagger.url("swagger-ui-bundle.js"),
                swagger_css_url=root + swagger.url("swagger-ui.css"),
                swagger_favicon_url=root + swagger.url("favicon-32x32.png"),
                oauth2_redirect_url=root + redirect_url if redirect_url else None,
                init_oauth=app.swagger_ui_init_oauth,
                swagger_ui_parameters=parameters,
            )
        )

    async def swagger_ui_redirect(_request: Request) -> HTMLResponse:
        return _offline(get_swagger_ui_oauth2_redirect_html())

    async def redoc_html(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return _offline(
            get_redoc_html(
                openapi_url=root + openapi_url,
                title=f"{app.title} - ReDoc",
                redoc_js_url=root + redoc.url("redoc.standalone.js"),
                redoc_favicon_url=root + swagger.url("favicon-32x32.png"),
                with_google_fonts=False,
            )
        )

    app.add_route(DOCS_URL, swagger_ui_html, include_in_schema=False)
    if redirect_url:
        app.add_route(redirect_url, swagger_ui_redirect, include_in_schema=False)
    app.add_route(REDOC_URL, redoc_html, include_in_schema=False)


def install(app: FastAPI) -> None:
    """Serve `/static` from the package and the API docs from it (no request leaves the host)."""
    app.add_middleware(StaticAssets)
    install_docs(app)
