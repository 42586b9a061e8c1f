"""登录限流: failed logins per client address, counted in the database.

`max_failures` failures within `window_minutes` lock out the *client*, never the account:
the same username from the same address (a success there clears the pair's earlier
failures), or one address across usernames (a success does not clear that: one good
account must not unlock guessing others), for `lockout_minutes` from the failure that
crossed the line. Anyone could otherwise lock any account by failing five times from
anywhere; the owner, from another address, still logs in and is told how many failed
attempts there were since their last login (`failures_since_last_login`). Attempts
refused while locked are stored as `locked` and do not extend the lock. Stored in the
workflow store, the count holds across processes and servers.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from sanjianguan.access.settings import AccessSettings
from sanjianguan.workflow_db.models import LoginAttempt, LoginOutcome

SUCCESS, FAILURE, LOCKED = LoginOutcome.SUCCESS, LoginOutcome.FAILURE, LoginOutcome.LOCKED


def note_attempt(
    session: Session, *, username: str, client: str, outcome: LoginOutcome, now: datetime
) -> None:
    """Store one login attempt."""
    session.add(LoginAttempt(username=username[:64], client=client[:64], at=now, outcome=outcome))
    session.flush()


def locked_until(
    session: Session, policy: AccessSettings, *, username: str, client: str, now: datetime
) -> datetime | None:
    """When the lock on this client (for this username, or for all) ends, if one is in force at `now`."""
    pair = and_(LoginAttempt.username == username, LoginAttempt.client == client)
    ends = [
        _lock_end(session, policy, pair, now, _last_success(session, username, client)),
        _lock_end(session, policy, LoginAttempt.client == client, now, None) if client else None,
    ]
    active = [end for end in ends if end is not None and end > now]
    return max(active) if active else None


def _last_success(session: Session, username: str, client: str | None = None) -> int | None:
    query = select(func.max(LoginAttempt.id)).where(
        LoginAttempt.username == username, LoginAttempt.outcome == SUCCESS
    )
    if client is not None:
        query = query.where(LoginAttempt.client == client)
    return session.execute(query).scalar_one_or_none()


def failures_since_last_login(session: Session, username: str) -> int:
    """Failed or refused attempts on `username` since its last successful login (from anywhere)."""
    query = select(func.count()).where(
        LoginAttempt.username == username, LoginAttempt.outcome.in_((FAILURE, LOCKED))
    )
    last = _last_success(session, username)
    if last is not None:
        query = query.where(LoginAttempt.id > last)
    return int(session.execute(query).scalar_one())


def _lock_end(
    session: Session,
    policy: AccessSettings,
    key: ColumnElement[bool],
    now: datetime,
    after_id: int | None,
) -> datetime | None:
    window, lockout = timedelta(minutes=policy.window_minutes), timedelta(minutes=policy.lockout_minutes)
    query = select(LoginAttempt.at).where(
        key, LoginAttempt.outcome == FAILURE, LoginAttempt.at > now - window - lockout
    )
    if after_id is not None:
        query = query.where(LoginAttempt.id > after_id)
    times = sorted(session.execute(query).scalars())
    n = policy.max_failures
    ends = [times[i] + lockout for i in range(n - 1, len(times)) if times[i] - times[i - n + 1] <= window]
    return max(ends) if ends else None
