"""Login, logout and the current user: `POST/DELETE /session`, `GET /me`, `PUT /me/password`."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from sanjianguan.access import sessions, users
from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.table import status as calendar_state
from sanjianguan.calendar.workdays import china_date
from sanjianguan.web.deps import (
    COOKIE,
    CurrentUser,
    DatabaseDep,
    Now,
    Policy,
    SessionDep,
    SignedInUser,
    Token,
    request_session,
)
from sanjianguan.web.schemas.calendar import CalendarStatusPublic
from sanjianguan.web.schemas.errors import error_responses
from sanjianguan.web.schemas.session import PasswordChange, SessionCreate, SessionPublic
from sanjianguan.web.schemas.users import UserPublic

router = APIRouter(tags=["session"])


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


@router.post("/session", response_model=SessionPublic, responses=error_responses(401, 422, 429))
def create_session(
    body: SessionCreate, request: Request, response: Response, database: DatabaseDep, now: Now, policy: Policy
) -> SessionPublic:
    """登录: returns a token (also set as the `sjg_session` cookie).

    The password is checked in a read first; the write lock is taken only for the login's
    writes (attempt, session, audit), so simultaneous logins do not queue behind argon2.
    """
    client = _client(request)
    with request_session(database, write=False) as reading:
        checked = sessions.check_password(
            reading, body.username, body.password, client=client, policy=policy, now=now
        )
    with request_session(database, write=True) as session:
        issued = sessions.login(
            session, body.username, body.password, client=client, policy=policy, now=now, checked=checked
        )
    response.set_cookie(
        COOKIE,
        issued.token,
        max_age=int(policy.session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=policy.secure_cookie,
    )
    return SessionPublic(
        token=issued.token,
        expires_at=issued.expires_at,
        user=UserPublic.model_validate(issued.user),
        failures_since_last_login=issued.failures_since_last_login,
    )


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401))
def delete_session(token: Token, session: SessionDep, now: Now, response: Response) -> None:
    """退出登录: ends the session of the token."""
    sessions.logout(session, token, now=now)
    response.delete_cookie(COOKIE)


@router.get("/me", response_model=UserPublic, responses=error_responses(401))
def read_me(user: SignedInUser) -> UserPublic:
    """当前用户 (also for an account that must change its password first)."""
    return UserPublic.model_validate(user)


@router.put(
    "/me/password", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(400, 401, 403, 422)
)
def change_password(body: PasswordChange, user: SignedInUser, session: SessionDep, now: Now) -> None:
    """修改密码: every session of the user ends, this one included (log in again)."""
    users.change_own_password(session, user, body.current_password, body.new_password, now=now)


@router.get("/calendar/status", response_model=CalendarStatusPublic, responses=error_responses(401))
def calendar_status(user: CurrentUser, session: SessionDep, now: Now) -> CalendarStatusPublic:
    """法定节假日日历状态: the loaded years and the warning to load one (deadlines then provisional)."""
    return CalendarStatusPublic.model_validate(calendar_state(calendar_for(session), china_date(now)))
