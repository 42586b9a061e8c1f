"""登录、退出、修改密码: the pages of the browser session (`/login`, `/logout`, `/password`).

Login goes through the same service calls as `POST /api/v1/session` (`access.sessions`:
the password checked in a read, then the login under the rate limit), so the lockout and
its messages are the API's. A wrong or refused login shows the login page again with the
error next to the field and the username kept. An account whose password was given by an
office (`must_change_password`) is sent to `/password` and can use no other page until it
has chosen its own. Every POST checks the CSRF token first.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from sanjianguan.access import sessions, users
from sanjianguan.audit.log import Actor
from sanjianguan.errors import AuthenticationError, InvalidInputError, RateLimitedError
from sanjianguan.web import csrf
from sanjianguan.web.deps import COOKIE, DatabaseDep, Now, Policy, SessionDep, request_session
from sanjianguan.web.pages.forms import FormFields
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.session import (
    HOME_PAGE,
    LOGIN_PAGE,
    PASSWORD_PAGE,
    SignedIn,
    page_token,
    redirect,
    safe_next,
    secure,
    set_session_cookie,
)
from sanjianguan.web.pages.templating import render

router = APIRouter(include_in_schema=False)
IDLE_NOTICE = sessions.IDLE[0]  # the session service's own words for an idle logout
MISMATCH = "两次输入的新密码不一致"


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _login_page(
    request: Request,
    policy: Policy,
    *,
    username: str = "",
    next_path: str = HOME_PAGE,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Response:
    token = csrf.new_login_token()
    context: dict[str, Any] = {
        "username": username,
        "next_path": next_path,
        "errors": errors or {},
        "notice": notice,
        "csrf_field": csrf.FIELD,
        "csrf_token": token,
    }
    response = render("login.html", context, status=status)
    response.set_cookie(
        csrf.LOGIN_COOKIE,
        token,
        path=LOGIN_PAGE,
        httponly=True,
        samesite="lax",
        secure=secure(request, policy),
    )
    return response


@router.get(LOGIN_PAGE)
def login_form(
    request: Request,
    policy: Policy,
    next: str | None = Query(None, max_length=2000),
    idle: str | None = Query(None, max_length=8),
) -> Response:
    """登录页."""
    notice = IDLE_NOTICE if idle else ""
    return _login_page(request, policy, next_path=safe_next(next), notice=notice)


@router.post(LOGIN_PAGE)
def login_submit(
    request: Request, form: FormFields, database: DatabaseDep, now: Now, policy: Policy
) -> Response:
    """登录: a session cookie and on to the page asked for (or to the password change)."""
    username, password = form.get("username", "").strip(), form.get("password", "")
    page = {"username": username, "next_path": safe_next(form.get("next"))}
    if not csrf.matches(request.cookies.get(csrf.LOGIN_COOKIE), form.get(csrf.FIELD)):
        return _login_page(request, policy, **page, errors={"form": csrf.REFUSED}, status=403)
    errors = {k: v for k, v in (("username", "请输入用户名"), ("password", "请输入密码")) if not form.get(k)}
    if errors or not username:
        return _login_page(request, policy, **page, errors=errors or {"username": "请输入用户名"}, status=400)
    client = _client(request)
    try:
        with request_session(database, write=False) as reading:
            checked = sessions.check_password(
                reading, username, password, client=client, policy=policy, now=now
            )
        with request_session(database, write=True) as session:
            issued = sessions.login(
                session, username, password, client=client, policy=policy, now=now, checked=checked
            )
            must_change = issued.user.must_change_password
    except RateLimitedError as exc:
        response = _login_page(request, policy, **page, errors={"form": exc.message_zh}, status=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except AuthenticationError as exc:
        return _login_page(request, policy, **page, errors={"password": exc.message_zh}, status=401)
    response = redirect(PASSWORD_PAGE if must_change else page["next_path"])
    set_session_cookie(response, request, issued.token, policy)
    response.delete_cookie(csrf.LOGIN_COOKIE, path=LOGIN_PAGE)
    return response


@router.post("/logout")
def logout(request: Request, form: FormFields, user: SignedIn, session: SessionDep, now: Now) -> Response:
    """退出登录: the session ends (the same as `DELETE /api/v1/session`)."""
    token = page_token(request) or ""
    if not csrf.signed_in_form_ok(token, form):
        return _refused(session, user, token)
    sessions.logout(session, token, now=now)
    response = redirect(LOGIN_PAGE)
    response.delete_cookie(COOKIE, path="/")
    return response


def _refused(session: SessionDep, user: SignedIn, token: str) -> Response:
    context = frame(session, user, token, active="") | {"message": csrf.REFUSED}
    return render("error.html", context, status=403)


def _password_page(
    session: SessionDep, user: SignedIn, token: str, errors: dict[str, str], status: int = 200
) -> Response:
    context = frame(session, user, token, active=PASSWORD_PAGE) | {
        "errors": errors,
        "forced": user.must_change_password,
    }
    return render("password.html", context, status=status)


@router.get(PASSWORD_PAGE)
def password_form(request: Request, user: SignedIn, session: SessionDep) -> Response:
    """修改密码页 (the only page of an account that must change its password)."""
    return _password_page(session, user, page_token(request) or "", {})


@router.post(PASSWORD_PAGE)
def password_submit(
    request: Request, form: FormFields, user: SignedIn, session: SessionDep, now: Now, policy: Policy
) -> Response:
    """修改密码: every session of the user ends; this browser gets a new one."""
    token = page_token(request) or ""
    if not csrf.signed_in_form_ok(token, form):
        return _refused(session, user, token)
    current, new = form.get("current_password", ""), form.get("new_password", "")
    try:
        users.check_own_password(user, current, new)
    except InvalidInputError as exc:
        field = "current_password" if exc.code == "wrong_password" else "new_password"
        return _password_page(session, user, token, {field: exc.message_zh}, status=400)
    if new != form.get("confirm_password", ""):
        return _password_page(session, user, token, {"confirm_password": MISMATCH}, status=400)
    users.change_password(session, user, new, actor=Actor.of(user), now=now)
    issued = sessions.open_session(session, user, client=_client(request), policy=policy, now=now)
    response = redirect(HOME_PAGE)
    set_session_cookie(response, request, issued.token, policy)
    return response
