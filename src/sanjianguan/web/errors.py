"""Exception handlers: every error answer is `{"detail": {"code", "message_zh", "message_en"}}`.

The HTTP status of each workflow error is decided here (the domain knows no HTTP).
FastAPI's 422 for invalid input (including malformed JSON) keeps its status with the
bilingual body; the errors' locations are listed under `detail.errors`. An unexpected
store held by another process past the short wait (`[store] api_wait_seconds`: an ingest
is writing) is a 503 `store_busy` with `Retry-After`. Any other unexpected
error is a 500 `internal_error` whose messages and `detail.error_id` name the entry
that `sanjianguan.errorlog` wrote (traceback, request) to the data folder's log.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException

from sanjianguan.config import StoreSettings
from sanjianguan.errorlog import internal_message, report
from sanjianguan.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    StoreBusyError,
    WorkflowError,
)

STATUS: list[tuple[type[WorkflowError], int]] = [
    (RateLimitedError, 429),
    (AuthenticationError, 401),
    (NotFoundError, 404),
    (PermissionDeniedError, 403),
    (ConflictError, 409),
    (WorkflowError, 400),
]
HTTP_MESSAGES = {
    400: ("请求无效", "bad request"),
    401: ("未登录或会话已失效", "not logged in, or the session has expired"),
    403: ("无权访问", "forbidden"),
    404: ("资源不存在", "not found"),
    405: ("不支持该请求方法", "method not allowed"),
}


def error_body(code: str, message_zh: str, message_en: str, **extra: Any) -> dict[str, Any]:
    return {"detail": {"code": code, "message_zh": message_zh, "message_en": message_en, **extra}}


def status_of(exc: WorkflowError) -> int:
    return next(status for cls, status in STATUS if isinstance(exc, cls))


def _workflow(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WorkflowError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationError) else {}
    if isinstance(exc, RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after)
    body = error_body(exc.code, exc.message_zh, exc.message_en)
    return JSONResponse(body, status_code=status_of(exc), headers=headers)


def _stale(_request: Request, _exc: Exception) -> JSONResponse:
    body = error_body("conflict", "数据已被他人修改，请刷新后重试", "changed meanwhile: reload and retry")
    return JSONResponse(body, status_code=409)


def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": e.get("msg")} for e in exc.errors()
    ]
    if any(e["type"] == "json_invalid" for e in errors):
        body = error_body(
            "malformed_json", "请求体不是有效的 JSON", "the request body is not valid JSON", errors=errors
        )
    else:
        body = error_body("invalid_request", "请求参数无效", "invalid request parameters", errors=errors)
    return JSONResponse(body, status_code=422)


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method that some route of `app` serves at `path` (routers flattened)."""
    from fastapi.routing import APIRoute, iter_route_contexts
    from starlette.routing import compile_path

    found: set[str] = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path and compile_path(context.path)[0].match(path):
            found |= set(context.methods or ())
    return sorted(found)


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    zh, en = HTTP_MESSAGES.get(exc.status_code, ("请求失败", "request failed"))
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names the methods of the first route of the path only; a path served
        # by two routes (GET and POST) must list both.
        methods = allowed_methods(request.app, request.url.path)
        if methods:
            headers["Allow"] = ", ".join(methods)
    return JSONResponse(
        error_body(f"http_{exc.status_code}", zh, en), status_code=exc.status_code, headers=headers or None
    )


def _store_busy(request: Request, exc: Exception) -> JSONResponse:
    """The analytic store is being written (an ingest): busy, try again — never a 500."""
    assert isinstance(exc, StoreBusyError)
    config = getattr(request.app.state, "config", None)
    store = config.settings.store if config is not None else StoreSettings()
    retry_after = store.retry_after_seconds
    body = error_body(
        "store_busy",
        f"分析库正在更新（数据入库中），请 {retry_after} 秒后重试",
        f"the analytic store is being updated (an ingest is running): try again in {retry_after} s",
    )
    return JSONResponse(body, status_code=503, headers={"Retry-After": str(retry_after)})


def _internal(request: Request, exc: Exception) -> JSONResponse:
    state = request.app.state
    home = getattr(state, "home", None)
    try:
        now = state.clock()
    except Exception:  # the clock itself may be what failed
        now = None
    error_id, _log = report(
        exc, home=home, where=f"请求 / request: {request.method} {request.url.path}", now=now
    )
    zh, en = internal_message(error_id)
    return JSONResponse(error_body("internal_error", zh, en, error_id=error_id), status_code=500)


def _document_errors(app: FastAPI) -> None:
    """OpenAPI: every 422 (and 401/413 that the body guard answers) shows the error body.

    FastAPI documents its own `HTTPValidationError` for 422; the handler above answers
    `ErrorResponse`, so the document is rewritten to say what the API does.
    """
    from fastapi.openapi.utils import get_openapi

    from sanjianguan.web.schemas.errors import ErrorResponse

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(title=app.title, version=app.version, routes=app.routes)
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
        for path, item in spec.get("paths", {}).items():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                if "422" in responses or method not in ("get", "head", "options"):
                    responses["422"] = {"description": "请求参数无效 / invalid request", "content": content}
                if operation.get("parameters") or "requestBody" in operation:
                    # a value well-formed but refused by the service (e.g. region 000000)
                    responses.setdefault("400", {"description": "请求无效 / bad request", "content": content})
                if method not in ("get", "head", "options"):
                    responses.setdefault(
                        "413", {"description": "请求体过大 / body too large", "content": content}
                    )
                    if not path.endswith("/session") or method != "post":
                        responses.setdefault(
                            "401", {"description": "未登录 / not logged in", "content": content}
                        )
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        schemas.update(ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")["$defs"])
        schemas["ErrorResponse"] = {
            k: v
            for k, v in ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}").items()
            if k != "$defs"
        }
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""
    _document_errors(app)
    app.add_exception_handler(WorkflowError, _workflow)
    app.add_exception_handler(StaleDataError, _stale)
    app.add_exception_handler(StoreBusyError, _store_busy)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _internal)
