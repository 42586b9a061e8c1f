"""网页会话: the browser's cookie session, on the API's session store.

A page session is an ordinary session of `access.sessions` (same tokens, expiry,
revocation, login rate limit), carried in the `sjg_session` cookie: HttpOnly,
SameSite=Lax (a link from another site still opens the page; its forms cannot post
with it), Secure when `[access] secure_cookie` is set or the request came over HTTPS.
Pages take the cookie only, never a bearer token. A page session also ends when unused
for `[access] idle_minutes` (the last use is noted at most once a minute, in a short
write of its own). Without a live session a page answers with a redirect to the login
page (the body guard does the same before any body is read).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from sanjianguan.access import sessions
from sanjianguan.config import AccessSettings
from sanjianguan.errors import AuthenticationError
from sanjianguan.web.deps import COOKIE, DatabaseDep, Now, Policy, SessionDep, request_session
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import User

LOGIN_PAGE = "/login"
PASSWORD_PAGE = "/password"
MESSAGES_PAGE = "/messages"
HOME_PAGE = "/"
TOUCH_EVERY = timedelta(minutes=1)


class PageRedirect(Exception):
    """A page cannot be shown to this request: send the browser to `location` instead."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def login_location(next_path: str | None = None, *, idle: bool = False) -> str:
    """The login page's URL, remembering the page asked for (and why the session ended)."""
    query = [f"next={quote(next_path, safe='/')}"] if next_path and safe_next(next_path) != HOME_PAGE else []
    if idle:
        query.append("idle=1")
    return LOGIN_PAGE + ("?" + "&".join(query) if query else "")


def safe_next(value: str | None) -> str:
    """A path of this site to go to after login (anything else: the home page)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")) or "\\" in value:
        return HOME_PAGE
    return value


def secure(request: Request, policy: AccessSettings) -> bool:
    """Whether cookies must carry `Secure`: configured, or the request came over HTTPS."""
    return policy.secure_cookie or request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str, policy: AccessSettings) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(policy.session_hours * 3600),
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure(request, policy),
    )


def redirect(location: str) -> RedirectResponse:
    """A 303 (after a POST the browser GETs `location`)."""
    return RedirectResponse(location, status_code=303, headers={"Cache-Control": "no-store"})


def page_token(request: Request) -> str | None:
    """The session token of the page request (the cookie; a bearer header is not looked at)."""
    return request.cookies.get(COOKIE) or None


def _signed_in(
    request: Request, session: SessionDep, database: DatabaseDep, now: Now, policy: Policy
) -> User:
    token = page_token(request)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if token is None:
        raise PageRedirect(login_location(here))
    try:
        user, seen = sessions.last_activity(session, token, now=now)
    except AuthenticationError:
        raise PageRedirect(login_location(here)) from None
    if now - seen > timedelta(minutes=policy.idle_minutes):
        _write(database, lambda s: sessions.end_idle(s, token, now=now))
        raise PageRedirect(login_location(here, idle=True))
    if now - seen >= TOUCH_EVERY:
        _write(database, lambda s: sessions.touch(s, token, now=now))
    return user


def _write(database: Database, action: Callable[[Session], None]) -> None:
    """A short write transaction of its own (committed even when the page then redirects)."""
    with request_session(database, write=True) as session:
        action(session)


def _password_changed(user: Annotated[User, Depends(_signed_in)]) -> User:
    if user.must_change_password:
        raise PageRedirect(PASSWORD_PAGE)
    return user


SignedIn = Annotated[User, Depends(_signed_in)]  # any live page session (the password page)
PageUser = Annotated[User, Depends(_password_changed)]  # and no password change pending
