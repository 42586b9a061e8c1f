"""Login rate limit: per username and per client address, from the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access import sessions
from sanjianguan.access.settings import AccessSettings
from sanjianguan.cases.errors import AuthenticationError, RateLimitedError
from sanjianguan.db.models import AuditEvent
from tests.db.fixtures import PASSWORD, Clock, seed_org

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


def test_five_failures_lock_the_username_for_fifteen_minutes(session: Session, clock: Clock) -> None:
    seed_org(session)
    _fail(session, clock, 4)
    _try(session, clock, "county", PASSWORD)  # four failures: still allowed (and a success resets)
    _fail(session, clock, 5)
    with pytest.raises(RateLimitedError) as info:
        _try(session, clock, "county", PASSWORD, client="10.9.9.9")  # right password, other address
    assert 0 < info.value.retry_after <= 15 * 60
    assert session.execute(select(AuditEvent).where(AuditEvent.event == "user.locked_out")).first()
    clock.advance(minutes=15)
    _try(session, clock, "county", PASSWORD, client="10.9.9.9")


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
