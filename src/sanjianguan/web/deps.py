"""Dependencies, as `Annotated` aliases so that route signatures read like a spec.

`SessionDep`: one database session per request, committed when the route returns and
rolled back on any error (so a refused request changes nothing). `CurrentUser`: the user
of the `Authorization: Bearer` token or, failing that, of the `sjg_session` cookie (a
write by cookie alone must carry the session's CSRF token in `X-CSRF-Token`); an account
that must change its password (`SignedInUser` only) may do nothing else first.
Configuration (`SettingsDep`, `LadderDep`, `PointsConfigDep`, `HomeDep`, and the evidence
folder with the `[cases]` limits, `EvidenceDep`) comes from what the app factory loaded
once (`web.configuration.WebConfig` on `app.state`): no request reads a configuration file.
`reject_unknown_query`: installed on the whole API router, a query parameter that the
route does not declare is a 422 (a misspelt filter would otherwise widen the answer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import Cookie, Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from sanjianguan.access import sessions
from sanjianguan.accountability.config import Ladder
from sanjianguan.cases.evidence import EvidenceStore
from sanjianguan.config import AccessSettings, Settings
from sanjianguan.errors import AuthenticationError, PermissionDeniedError
from sanjianguan.points.config import PointsConfig
from sanjianguan.web import csrf
from sanjianguan.web.configuration import WebConfig
from sanjianguan.workflow_db.connection import Database, begin_write
from sanjianguan.workflow_db.models import User

COOKIE = "sjg_session"
CSRF_REFUSED = (
    f"以会话 Cookie 提交的请求须带 {csrf.HEADER} 头（页面表单的令牌）",
    f"a write authenticated by the session cookie needs the {csrf.HEADER} header",
)
PASSWORD_CHANGE_REQUIRED = (
    "该帐号须先修改密码（网页“修改密码”或 PUT /api/v1/me/password）",
    "this account must change its password first (PUT /api/v1/me/password)",
)
_bearer = HTTPBearer(auto_error=False, description="会话令牌 / session token from POST /api/v1/session")


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _session(request: Request) -> Iterator[Session]:
    with request_session(_database(request), write=request.method not in SAFE_METHODS) as session:
        yield session


@contextmanager
def request_session(database: Database, *, write: bool) -> Iterator[Session]:
    """A session committed at the end, rolled back on any error; `write`: it takes the write
    lock first (SQLite: BEGIN IMMEDIATE) and waits for it instead of failing with "locked"."""
    session = database.sessions()
    if write:
        begin_write(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


def _config(request: Request) -> WebConfig:
    config: WebConfig = request.app.state.config
    return config


def _settings(request: Request) -> Settings:
    return _config(request).settings


def _policy(request: Request) -> AccessSettings:
    return _config(request).settings.access


def _ladder(request: Request) -> Ladder:
    return _config(request).ladder


def _points(request: Request) -> PointsConfig:
    return _config(request).points


def _home(request: Request) -> Path:
    return _config(request).home


def _evidence(request: Request) -> EvidenceStore:
    """The evidence folder the app factory built from `[cases]` (tests may put their own)."""
    store: EvidenceStore = request.app.state.evidence
    return store


def _token(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Cookie(alias=COOKIE, include_in_schema=False)] = None,
) -> str:
    if bearer:
        return bearer.credentials
    if not cookie:
        raise AuthenticationError(*sessions.INVALID)
    if request.method not in SAFE_METHODS and not csrf.matches(
        csrf.session_token(cookie), request.headers.get(csrf.HEADER)
    ):
        # A browser sends the cookie by itself, even for another site's form or script.
        raise PermissionDeniedError(*CSRF_REFUSED, code="csrf_refused")
    return cookie


SessionDep = Annotated[Session, Depends(_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(_database)]
Now = Annotated[datetime, Depends(_now)]
Policy = Annotated[AccessSettings, Depends(_policy)]
SettingsDep = Annotated[Settings, Depends(_settings)]
LadderDep = Annotated[Ladder, Depends(_ladder)]
PointsConfigDep = Annotated[PointsConfig, Depends(_points)]
HomeDep = Annotated[Path, Depends(_home)]
EvidenceDep = Annotated[EvidenceStore, Depends(_evidence)]
Token = Annotated[str, Depends(_token)]


def _signed_in_user(session: SessionDep, token: Token, now: Now) -> User:
    return sessions.authenticate(session, token, now=now)


SignedInUser = Annotated[User, Depends(_signed_in_user)]  # even one that must change its password


def _current_user(user: SignedInUser) -> User:
    if user.must_change_password:
        # 首次登录须修改密码: the password was handed out; only `/me` and the change are open.
        raise PermissionDeniedError(*PASSWORD_CHANGE_REQUIRED, code="password_change_required")
    return user


CurrentUser = Annotated[User, Depends(_current_user)]


def _optional_user(
    session: SessionDep,
    now: Now,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Cookie(alias=COOKIE, include_in_schema=False)] = None,
) -> User | None:
    """The signed-in user if any (token, then cookie), for a public GET that shows a signed-in
    office more (e.g. an unpublished disclosure's preview); None for the public: a missing,
    bad or expired token, or an account that must first change its password."""
    token = bearer.credentials if bearer else cookie
    if not token:
        return None
    try:
        user = sessions.authenticate(session, token, now=now)
    except AuthenticationError:
        return None
    return None if user.must_change_password else user


OptionalUser = Annotated[User | None, Depends(_optional_user)]


def declared_query(route: APIRoute) -> frozenset[str]:
    """The query parameter names a route declares, its dependencies' included."""
    return frozenset(_query_names(route.dependant))


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def reject_unknown_query(request: Request) -> None:
    """422 for a query parameter the route does not know (listed under `detail.errors`)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params) - declared_query(route))
    if unknown:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", name),
                    "type": "extra_forbidden",
                    "msg": f"未知查询参数 / unknown query parameter: {name}",
                }
                for name in unknown
            ]
        )
