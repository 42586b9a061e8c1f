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

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from sanjianguan.web.pages import (
    accountability,
    accounts,
    audit,
    auth,
    campaign_detail,
    campaigns,
    clue_actions,
    clue_batches,
    clue_detail,
    clue_list,
    county_returns,
    dashboard,
    disclosure,
    expert,
    inspection_visits,
    inspections,
    messages,
    notices,
    points,
    points_disclosure,
    points_returns,
    referrals,
    submissions,
    verification,
    workbench,
)
from sanjianguan.web.pages import collection as collection_pages
from sanjianguan.web.pages import indicators as indicator_pages
from sanjianguan.web.pages import rule_params as rule_param_pages
from sanjianguan.web.pages import rules as rule_pages
from sanjianguan.web.pages.session import LOGIN_PAGE, PageRedirect, redirect
from sanjianguan.web.pages.templating import render

Handler = Callable[[Request, Exception], Response | Awaitable[Response]]
ROUTERS: tuple[APIRouter, ...] = (  # a new page module adds its router here
    auth.router,
    dashboard.router,
    clue_list.router,  # 线索列表, 推送与抽查: fixed paths (/clues/export.xlsx, /clues/actions)
    clue_batches.router,  # before the /clues/{clue_id} pages
    clue_detail.router,
    clue_actions.router,
    workbench.router,
    verification.router,
    expert.router,
    submissions.router,
    indicator_pages.router,
    collection_pages.router,
    rule_pages.router,
    rule_param_pages.router,  # 规则参数修改 (POST /rules/{rule_id}/params/...)
    accounts.router,
    accountability.router,
    points_returns.router,  # /points/monthly before /points/{record_id}
    points_disclosure.router,  # 季度公示: /points/disclosures
    points.router,
    audit.router,
    inspections.router,  # 双随机检查
    inspection_visits.router,
    campaigns.router,  # 专项治理
    campaign_detail.router,
    referrals.router,  # 移送: /referrals/new before /referrals/{referral_id}
    disclosure.router,
    county_returns.router,  # 县区月报
    notices.router,  # 文书: /notices, /documents/issue, /documents/{notice_id}/file
    messages.router,  # 消息: /messages, /messages/read, /messages/preferences
)
# Public pages: anyone may open them without a session (the login page, the 公示). Their
# routers are in ROUTERS too; a public page shows no signed-in header and changes nothing.
PUBLIC_ROUTERS = (disclosure.router,)


def _path(route: BaseRoute) -> str:
    return str(getattr(route, "path", ""))


# Read off the routers, so a page cannot be served without the guard knowing it is one.
PAGE_PATHS = frozenset(_path(route) for router in ROUTERS for route in router.routes)


PUBLIC_PATHS = frozenset({LOGIN_PAGE}) | frozenset(
    _path(route) for router in PUBLIC_ROUTERS for route in router.routes
)


def is_page(path: str) -> bool:
    """Whether the route pattern `path` (e.g. `/clues/{clue_id}`) is one of the pages."""
    return path in PAGE_PATHS


# The page routes themselves: a request's matched route is the router's own object, whose
# `path` lacks the prefix of an included router (the API's `/clues/{clue_id}` under
# `/api/v1` has the same `path` as the page `/clues/{clue_id}`), so it is told by identity.
PAGE_ROUTE_IDS = frozenset(id(route) for router in ROUTERS for route in router.routes)


def is_public_page(path: str) -> bool:
    """Whether the page at route pattern `path` may be opened without a session."""
    return path in PUBLIC_PATHS


def _redirect(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageRedirect)
    return redirect(exc.location)


def _as_page(handler: Handler) -> Handler:
    """`handler` for the API; on a page, its JSON answer shown as an error page."""

    async def handle(request: Request, exc: Exception) -> Response:
        answer = handler(request, exc)
        response = await answer if isinstance(answer, Awaitable) else answer
        route = request.scope.get("route")
        if route is None or id(route) not in PAGE_ROUTE_IDS or response.media_type != "application/json":
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
