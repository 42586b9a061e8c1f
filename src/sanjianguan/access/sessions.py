"""登录会话: opaque random tokens, stored as SHA-256 only, with an absolute expiry.

A token is 32 random bytes (URL-safe text); the database keeps its SHA-256, so a copy
of the database does not give working tokens. Sessions end at `expires_at`
(`access.session_hours`, default 8 h), on logout, and on a password change; a browser
(page) session also ends when unused for `access.idle_minutes` (`last_activity`, `end_idle`).
A refused login is committed before the error is raised: the stored failure is what
the rate limiter counts, and it must survive the error's rollback.

The password check (argon2, slow on purpose) can run first in a read (`check_password`),
so that a login holds the workflow store's write lock only for its few writes: on SQLite
simultaneous logins otherwise queue behind each other's argon2 and can exceed the busy
timeout ("database is locked").
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sanjianguan.access import ratelimit
from sanjianguan.access.passwords import hash_password, needs_rehash, verify_password
from sanjianguan.access.settings import AccessSettings
from sanjianguan.access.users import find_user, normalise_username
from sanjianguan.audit.events import SessionClosed, SessionIdleExpired, SessionOpened, UserLockedOut
from sanjianguan.audit.log import record
from sanjianguan.errors import AuthenticationError, RateLimitedError
from sanjianguan.workflow_db.models import AuthSession, User

WRONG = ("用户名或密码错误", "wrong username or password")
INVALID = ("未登录或会话已失效", "not logged in, or the session has expired")
IDLE = ("长时间未操作，已自动退出，请重新登录", "logged out after a period of inactivity: log in again")


@dataclass(frozen=True)
class IssuedSession:
    """A new session: the token is shown once, here, and never stored."""

    token: str
    expires_at: datetime
    user: User
    failures_since_last_login: int = 0  # told to the user: someone may be guessing the password


@dataclass(frozen=True)
class PasswordCheck:
    """The outcome of checking a password against the hash stored at the time (a read)."""

    username: str
    password_hash: str | None
    ok: bool


def check_password(
    session: Session, username: str, password: str, *, client: str, policy: AccessSettings, now: datetime
) -> PasswordCheck:
    """Verify the password in a read, before the write transaction of `login` (no lock held).

    A username or address under a login lock is not verified at all (no argon2 for it).
    """
    name = normalise_username(username)
    if ratelimit.locked_until(session, policy, username=name, client=client, now=now) is not None:
        return PasswordCheck(name, None, ok=False)
    user = find_user(session, name)
    stored = user.password_hash if user else None
    return PasswordCheck(name, stored, ok=verify_password(stored, password))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def login(
    session: Session,
    username: str,
    password: str,
    *,
    client: str,
    policy: AccessSettings,
    now: datetime,
    checked: PasswordCheck | None = None,
) -> IssuedSession:
    """Check the credentials under the rate limit and open a session.

    `checked` (from `check_password`) stands for the password check if the stored hash is
    still the one it was checked against; otherwise the password is verified here.
    """
    name = normalise_username(username)
    _refuse_if_locked(session, policy, name, client, now)
    user = find_user(session, name)
    stored = user.password_hash if user else None
    if checked is not None and checked.username == name and checked.password_hash == stored:
        ok = checked.ok
    else:
        ok = verify_password(stored, password)
    if user is None or not ok or not user.is_active:
        _refuse(session, policy, name, client, now)
    assert user is not None
    failures = ratelimit.failures_since_last_login(session, name)
    ratelimit.note_attempt(session, username=name, client=client, outcome=ratelimit.SUCCESS, now=now)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    issued = _open(session, user, client=client, policy=policy, now=now)
    return replace(issued, failures_since_last_login=failures)


def _open(
    session: Session, user: User, *, client: str, policy: AccessSettings, now: datetime
) -> IssuedSession:
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=policy.session_hours)
    session.add(
        AuthSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=expires,
            client=client[:64],
            last_seen_at=now,
        )
    )
    event = SessionOpened(subject_id=str(user.id), client=client, expires_at=expires.isoformat())
    record(session, event, actor=user, now=now)
    return IssuedSession(token=token, expires_at=expires, user=user)


def _refuse_if_locked(
    session: Session, policy: AccessSettings, name: str, client: str, now: datetime
) -> None:
    until = ratelimit.locked_until(session, policy, username=name, client=client, now=now)
    if until is None:
        return
    ratelimit.note_attempt(session, username=name, client=client, outcome=ratelimit.LOCKED, now=now)
    session.commit()
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    raise RateLimitedError(
        f"登录失败次数过多，请 {minutes} 分钟后再试",
        f"too many failed logins, try again in {minutes} min",
        retry_after=int((until - now).total_seconds()) + 1,
    )


def _refuse(session: Session, policy: AccessSettings, name: str, client: str, now: datetime) -> None:
    ratelimit.note_attempt(session, username=name, client=client, outcome=ratelimit.FAILURE, now=now)
    until = ratelimit.locked_until(session, policy, username=name, client=client, now=now)
    if until is not None:
        user = find_user(session, name)
        subject = str(user.id) if user else f"unknown:{name}"
        record(
            session, UserLockedOut(subject_id=subject, client=client, locked_until=until.isoformat()), now=now
        )
    session.commit()
    raise AuthenticationError(*WRONG, code="wrong_credentials")


def authenticate(session: Session, token: str, *, now: datetime) -> User:
    """The user of a live session token; AuthenticationError otherwise."""
    found = _live(session, token, now)
    if found is None:
        raise AuthenticationError(*INVALID)
    return found[1]


def _live(session: Session, token: str, now: datetime) -> tuple[AuthSession, User] | None:
    query = (
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.token_hash == token_hash(token), AuthSession.revoked_at.is_(None))
        .where(AuthSession.expires_at > now, User.is_active.is_(True))
    )
    row = session.execute(query).one_or_none()
    return None if row is None else (row[0], row[1])


def logout(session: Session, token: str, *, now: datetime) -> None:
    """End the session of `token` (an unknown or dead token: AuthenticationError)."""
    found = _live(session, token, now)
    if found is None:
        raise AuthenticationError(*INVALID)
    auth, user = found
    auth.revoked_at = now
    record(session, SessionClosed(subject_id=str(user.id)), actor=user, now=now)


def last_activity(session: Session, token: str, *, now: datetime) -> tuple[User, datetime]:
    """The user of a live session token and when the session was last used (its pages)."""
    found = _live(session, token, now)
    if found is None:
        raise AuthenticationError(*INVALID)
    auth, user = found
    return user, auth.last_seen_at or auth.created_at


def touch(session: Session, token: str, *, now: datetime) -> None:
    """Note that the session of `token` was used at `now` (its idle time starts again)."""
    session.execute(
        update(AuthSession)
        .where(AuthSession.token_hash == token_hash(token), AuthSession.revoked_at.is_(None))
        .values(last_seen_at=now)
    )


def end_idle(session: Session, token: str, *, now: datetime) -> None:
    """End the session of `token` for idleness (audited); a dead token: nothing to do."""
    found = _live(session, token, now)
    if found is None:
        return
    auth, user = found
    auth.revoked_at = now
    seen = (auth.last_seen_at or auth.created_at).isoformat()
    record(session, SessionIdleExpired(subject_id=str(user.id), last_seen_at=seen), actor=user, now=now)


def open_session(
    session: Session, user: User, *, client: str, policy: AccessSettings, now: datetime
) -> IssuedSession:
    """A new session for a user already authenticated (after changing their own password,
    which ended every session of theirs, the current one included)."""
    return _open(session, user, client=client, policy=policy, now=now)
