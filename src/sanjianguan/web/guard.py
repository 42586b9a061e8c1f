"""请求体守卫: authentication and a size limit, both BEFORE any byte of a body is read.

FastAPI parses (and, for multipart, spools to disk) a request body before it resolves
the route's dependencies, authentication included; so an anonymous client could make
the server read and store any amount. This ASGI middleware sits in front of the app:

1. A body larger than its route's limit is refused with 413 `body_too_large`: at once
   from `Content-Length`, or, for a body without one (chunked), as soon as the bytes
   passed on reach the limit (the rest is never read, nothing beyond it is buffered).
2. A write (any method but GET/HEAD/OPTIONS) to an API route that needs a login is
   refused with 401 unless its bearer token or `sjg_session` cookie names a live session
   (`access.sessions.authenticate`); the body is not read. `POST /api/v1/session` (the
   login) is the one write without a login. Requests that match no route pass through
   (404/405 come from the router, which reads no body).
3. A browser page (`web.pages`), whatever the method, needs a live session in the
   `sjg_session` cookie (a bearer token does not count), except the public pages (the
   login page and the 公示 `/public/disclosure`: `web.pages.PUBLIC_PATHS`); without one
   the answer is a 303 to the login page, the body unread. (Static files and the API
   docs never reach the guard's check: they are not routes of the table / are public GETs.)

Limits (`[web]`, `[cases]`): upload routes (multipart with files) `evidence_max_files ×
evidence_max_mb + upload_overhead_kb`; a route marked as taking a batch zip (it depends on
`web.pages.forms.batch_upload`: the page 数据提交) `batch_upload_max_mb + upload_overhead_kb`;
the logins (API and page) `login_body_max_kb`; every other body `body_max_kb`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.routing import compile_path

from sanjianguan.access import sessions
from sanjianguan.config import Settings
from sanjianguan.errors import AuthenticationError
from sanjianguan.web.deps import COOKIE, SAFE_METHODS
from sanjianguan.web.errors import error_body
from sanjianguan.web.pages import is_page, is_public_page
from sanjianguan.web.pages.forms import batch_upload
from sanjianguan.web.pages.session import LOGIN_PAGE, login_location

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
KB = 1024
MB = KB * KB
LOGIN_PATH = "/api/v1/session"


@dataclass(frozen=True)
class Limits:
    """Body limits in bytes."""

    body: int
    login: int
    upload: int
    batch: int = 0  # one batch zip (数据提交); 0: as `upload`

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        cases, web = settings.cases, settings.web
        upload = cases.evidence_max_bytes * cases.evidence_max_files + web.upload_overhead_kb * KB
        batch = web.batch_upload_max_mb * MB + web.upload_overhead_kb * KB
        return cls(body=web.body_max_kb * KB, login=web.login_body_max_kb * KB, upload=upload, batch=batch)


def _takes_files(route: APIRoute) -> bool:
    return any(_is_upload(param.field_info.annotation) for param in route.dependant.body_params)


def _takes_batch(dependant: Dependant) -> bool:
    """Whether the route (or a dependency of it) depends on the batch-upload marker."""
    return any(sub.call is batch_upload or _takes_batch(sub) for sub in dependant.dependencies)


def _is_upload(annotation: Any) -> bool:
    args = getattr(annotation, "__args__", ())
    is_file = isinstance(annotation, type) and issubclass(annotation, UploadFile)
    return is_file or any(_is_upload(arg) for arg in args)


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> list[Message]:
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    head += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return [
        {"type": "http.response.start", "status": status, "headers": head},
        {"type": "http.response.body", "body": raw},
    ]


def too_large(limit: int) -> list[Message]:
    size = f"{limit / KB:g} KB" if limit < KB * KB else f"{limit / (KB * KB):g} MB"
    body = error_body(
        "body_too_large",
        f"请求体过大（上限 {size}）",
        f"request body too large (limit {size})",
        limit_bytes=limit,
    )
    return _json(413, body, {"Connection": "close"})


def unauthenticated() -> list[Message]:
    zh, en = sessions.INVALID
    # The body stays unread: the connection is closed after the answer, never reused.
    headers = {"WWW-Authenticate": "Bearer", "Connection": "close"}
    return _json(401, error_body("not_authenticated", zh, en), headers)


def to_login(scope: Scope) -> list[Message]:
    """A page asked for without a live session: 303 to the login page (the body stays unread)."""
    query = scope.get("query_string", b"").decode("latin-1")
    here = scope["path"] + (f"?{query}" if query else "")
    head = [
        (b"location", login_location(here).encode("latin-1")),
        (b"content-length", b"0"),
        (b"cache-control", b"no-store"),
        (b"connection", b"close"),
    ]
    return [
        {"type": "http.response.start", "status": 303, "headers": head},
        {"type": "http.response.body", "body": b""},
    ]


def _token(scope: Scope, *, cookie_only: bool = False) -> str | None:
    headers: dict[str, str] = {
        k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
    }
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if not cookie_only and scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:
        return None
    morsel = cookie.get(COOKIE)
    return morsel.value if morsel and morsel.value else None


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


@dataclass(frozen=True)
class _Route:
    """An API route as the guard sees it: full path pattern, methods, whether it takes files."""

    regex: re.Pattern[str]
    methods: frozenset[str]
    path: str
    uploads: bool
    batch: bool = False


class BodyGuard:
    """The ASGI middleware; `app` is the FastAPI application it guards."""

    def __init__(self, app: ASGIApp, fastapi: FastAPI, limits: Limits) -> None:
        self.app, self.fastapi, self.limits = app, fastapi, limits
        self._table: list[_Route] | None = None

    def _routes(self) -> list[_Route]:
        if self._table is None:  # built on first use: every route is included by then
            self._table = [
                _Route(
                    compile_path(ctx.path)[0],
                    frozenset(ctx.methods or ()),
                    ctx.path,
                    _takes_files(route),
                    _takes_batch(route.dependant),
                )
                for ctx in iter_route_contexts(self.fastapi.routes)
                if isinstance(route := ctx.original_route, APIRoute) and ctx.path
            ]
        return self._table

    def _route(self, scope: Scope) -> _Route | None:
        path, method = scope["path"], scope["method"]
        return next((r for r in self._routes() if method in r.methods and r.regex.match(path)), None)

    def _limit(self, scope: Scope, route: _Route | None) -> int:
        if route is not None and route.path in (LOGIN_PATH, LOGIN_PAGE) and scope["method"] == "POST":
            return self.limits.login
        if route is not None and route.batch:
            return self.limits.batch or self.limits.upload
        if route is not None and route.uploads:
            return self.limits.upload
        return self.limits.body

    def _needs_login(self, scope: Scope, route: _Route | None) -> bool:
        if route is not None and is_page(route.path):
            return not is_public_page(route.path)
        if route is None or scope["method"] in SAFE_METHODS:
            return False
        return not (route.path == LOGIN_PATH and scope["method"] == "POST")

    def _authenticated(self, token: str) -> bool:
        state = self.fastapi.state
        with state.database.sessions() as session:
            try:
                sessions.authenticate(session, token, now=state.clock())
            except AuthenticationError:
                return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self._route(scope)
        limit = self._limit(scope, route)
        length = _content_length(scope)
        if length is not None and length > limit:
            await _send_all(send, too_large(limit))
            return
        if self._needs_login(scope, route):
            page = route is not None and is_page(route.path)
            token = _token(scope, cookie_only=page)
            if token is None or not await run_in_threadpool(self._authenticated, token):
                await _send_all(send, to_login(scope) if page else unauthenticated())
                return
        await self._bounded(scope, receive, send, limit)

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Pass the body on while it stays within `limit`; past it, answer 413 instead."""
        seen = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True  # the app sees a disconnect; the client gets the 413
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                if message["type"] == "http.response.start":
                    started = True
                    await _send_all(send, too_large(limit))
                return  # the app's own answer to the cut body is dropped
            if started and exceeded:
                return
            await send(message)

        await self.app(scope, counting_receive, guarded_send)
        if exceeded and not started:
            await _send_all(send, too_large(limit))


async def _send_all(send: Send, messages: list[Message]) -> None:
    for message in messages:
        await send(message)


def install(app: FastAPI, settings: Settings) -> None:
    """Put the guard in front of `app` (inside Starlette's error middleware)."""
    app.add_middleware(BodyGuard, fastapi=app, limits=Limits.of(settings))
