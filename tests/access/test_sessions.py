"""Login, session expiry (with an injected clock), logout, password change."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access import sessions
from sanjianguan.access.settings import AccessSettings
from sanjianguan.access.users import change_password
from sanjianguan.errors import AuthenticationError
from sanjianguan.workflow_db.models import AuditEvent, AuthSession, LoginAttempt
from tests.workflow_db.fixtures import PASSWORD, Clock, seed_org

POLICY = AccessSettings()


def _login(
    session: Session, clock: Clock, username: str = "county", password: str = PASSWORD
) -> sessions.IssuedSession:
    issued = sessions.login(session, username, password, client="10.0.0.1", policy=POLICY, now=clock())
    session.commit()
    return issued


def test_login_gives_a_token_stored_only_hashed(session: Session, clock: Clock) -> None:
    seed_org(session)
    issued = _login(session, clock, "COUNTY")  # usernames compare case-insensitively
    assert sessions.authenticate(session, issued.token, now=clock()).username == "county"
    stored = session.execute(select(AuthSession.token_hash)).scalars().all()
    assert stored == [sessions.token_hash(issued.token)]
    assert issued.token not in stored
    assert session.execute(select(AuditEvent.event).where(AuditEvent.event == "session.opened")).scalar_one()


def test_session_expires_after_eight_hours(session: Session, clock: Clock) -> None:
    seed_org(session)
    issued = _login(session, clock)
    clock.advance(hours=7, minutes=59)
    sessions.authenticate(session, issued.token, now=clock())
    clock.advance(minutes=1)
    with pytest.raises(AuthenticationError):
        sessions.authenticate(session, issued.token, now=clock())


def test_logout_and_password_change_end_sessions(session: Session, clock: Clock) -> None:
    org = seed_org(session)
    first, second = _login(session, clock), _login(session, clock)
    sessions.logout(session, first.token, now=clock())
    session.commit()
    with pytest.raises(AuthenticationError):
        sessions.authenticate(session, first.token, now=clock())
    sessions.authenticate(session, second.token, now=clock())
    change_password(session, org.users["county"], "a new long passphrase", now=clock())
    session.commit()
    with pytest.raises(AuthenticationError):
        sessions.authenticate(session, second.token, now=clock())
    _login(session, clock, password="a new long passphrase")


def test_wrong_password_is_refused_and_the_attempt_kept(session: Session, clock: Clock) -> None:
    seed_org(session)
    with pytest.raises(AuthenticationError) as info:
        _login(session, clock, password="wrong password!")
    assert info.value.code == "wrong_credentials"
    session.rollback()  # what the request does on error: the attempt was committed before
    outcomes = session.execute(select(LoginAttempt.outcome)).scalars().all()
    assert outcomes == ["failure"]
    with pytest.raises(AuthenticationError):
        _login(session, clock, username="nobody")


def test_garbage_token_is_refused(session: Session, clock: Clock) -> None:
    with pytest.raises(AuthenticationError):
        sessions.authenticate(session, "not-a-token", now=clock())
