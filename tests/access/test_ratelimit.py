"""Login rate limit per client address, from the database (the account itself: tests/security)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from sanjianguan.access import sessions
from sanjianguan.access.settings import AccessSettings
from sanjianguan.errors import AuthenticationError, RateLimitedError
from tests.workflow_db.fixtures import PASSWORD, Clock, seed_org

POLICY = AccessSettings(max_failures=5, window_minutes=15, lockout_minutes=15)


def _try(session: Session, clock: Clock, username: str, password: str, client: str = "10.0.0.1") -> None:
    try:
        sessions.login(session, username, password, client=client, policy=POLICY, now=clock())
        session.commit()
    finally:
        session.rollback()


def _fail(
    session: Session, clock: Clock, times: int, username: str = "county", client: str | None = None
) -> None:
    """`times` failed logins, each from its own address unless `client` is given."""
    for i in range(times):
        with pytest.raises(AuthenticationError) as info:
            _try(
                session,
                clock,
                username,
                "wrong password!",
                client or f"10.1.{int(clock().timestamp()) % 250}.{i}",
            )
        assert not isinstance(info.value, RateLimitedError)
        clock.advance(seconds=30)


def test_failures_spread_over_usernames_lock_the_address(session: Session, clock: Clock) -> None:
    seed_org(session)
    for name in ("city", "province", "county", "auditor", "expert"):
        _fail(session, clock, 1, username=name, client="10.6.6.6")
    with pytest.raises(RateLimitedError):
        _try(session, clock, "insurance", PASSWORD, client="10.6.6.6")
    _try(session, clock, "insurance", PASSWORD, client="10.0.0.2")


def test_failures_outside_the_window_do_not_count(session: Session, clock: Clock) -> None:
    seed_org(session)
    for _ in range(6):
        _fail(session, clock, 1)
        clock.advance(minutes=4)
    _try(session, clock, "county", PASSWORD)
