"""网页 (the browser pages): server-rendered Jinja2 pages on the same services as the API.

`install(app)` adds the page routes (outside `/api/v1`, not in the OpenAPI document) and
makes errors on a page answer as a page: a `PageRedirect` sends the browser on (mostly to
the login page), and any error the API's handlers answer in JSON (a refused action, a bad
request, an internal error with its log id) is shown as an HTML page with the Chinese
message and the same status, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from sanjianguan.web.pages import audit, auth, dashboard, expert, verification
from sanjianguan.web.pages.session import PageRedirect, redirect
from sanjianguan.web.pages.templating import render

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]
ROUTERS = (  # a new page module adds its router here
    auth.router,
    dashboard.router,
    expert.router,
    verification.router,
    audit.router,
)


def _path(route: BaseRoute) -> str:
    return str(getattr(route, "path", ""))


# Read off the routers, so a page cannot be served without the guard knowing it is one.
PAGE_PATHS = frozenset(_path(route) for router in ROUTERS for route in router.routes)


def is_page(path: str) -> bool:
    """Whether the route pattern `path` (e.g. `/clues/{clue_id}`) is one of the pages."""
    return path in PAGE_PATHS


def _redirect(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageRedirect)
    return redirect(exc.location)


def _as_page(handler: Handler) -> Handler:
    """`handler` for the API; on a page, its JSON answer shown as an error page."""

    async def handle(request: Request, exc: Exception) -> Response:
        answer = handler(request, exc)
        response = await answer if isinstance(answer, Awaitable) else answer
        route = request.scope.get("route")
        if route is None or not is_page(_path(route)) or response.media_type != "application/json":
            return response
        detail = json.loads(bytes(response.body)).get("detail", {})
        message = detail.get("message_zh") if isinstance(detail, dict) else None
        return render("error.html", {"message": message or "请求无法完成"}, status=response.status_code)

    return handle


def install(app: FastAPI) -> None:
    """Add the pages to `app` (after `web.errors.install`: its handlers are wrapped)."""
    for exc_class, handler in list(app.exception_handlers.items()):
        app.exception_handlers[exc_class] = _as_page(handler)
    app.add_exception_handler(PageRedirect, _redirect)
    for router in ROUTERS:
        app.include_router(router)
