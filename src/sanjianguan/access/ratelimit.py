"""登录限流: failed logins per username and per client address, counted in the database.

`max_failures` failures within `window_minutes` lock the username (or the address) for
`lockout_minutes` from the failure that crossed the line. A success clears the username's
earlier failures (not the address's: one good account must not unlock guessing others).
Attempts refused while locked are stored as `locked` and do not extend the lock. Stored
in the workflow store, the count holds across processes and servers.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from sanjianguan.access.settings import AccessSettings
from sanjianguan.db.models import LoginAttempt

SUCCESS, FAILURE, LOCKED = "success", "failure", "locked"


def note_attempt(session: Session, *, username: str, client: str, outcome: str, now: datetime) -> None:
    """Store one login attempt."""
    session.add(LoginAttempt(username=username[:64], client=client[:64], at=now, outcome=outcome))
    session.flush()


def locked_until(
    session: Session, policy: AccessSettings, *, username: str, client: str, now: datetime
) -> datetime | None:
    """When the lock on this username or address ends, if one is in force at `now`."""
    ends = [
        _lock_end(session, policy, LoginAttempt.username == username, now, _last_success(session, username)),
        _lock_end(session, policy, LoginAttempt.client == client, now, None) if client else None,
    ]
    active = [end for end in ends if end is not None and end > now]
    return max(active) if active else None


def _last_success(session: Session, username: str) -> int | None:
    query = select(func.max(LoginAttempt.id)).where(
        LoginAttempt.username == username, LoginAttempt.outcome == SUCCESS
    )
    return session.execute(query).scalar_one_or_none()


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
