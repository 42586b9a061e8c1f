"""Anyone could lock any account: five wrong passwords from anywhere locked it for 15 minutes.

Now the client is locked out, never the account, and the owner is told of the attempts.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access import sessions
from sanjianguan.errors import RateLimitedError
from sanjianguan.workflow_db.models import AuditEvent
from tests.access.test_ratelimit import POLICY, _fail, _try
from tests.workflow_db.fixtures import PASSWORD, Clock, seed_org


def test_five_failures_lock_out_the_client_not_the_account(session: Session, clock: Clock) -> None:
    seed_org(session)
    _fail(session, clock, 4, client="10.6.6.8")
    _try(session, clock, "county", PASSWORD, client="10.6.6.8")  # four: still allowed (a success resets)
    _fail(session, clock, 5, client="10.6.6.7")
    with pytest.raises(RateLimitedError) as info:
        _try(session, clock, "county", PASSWORD, client="10.6.6.7")  # right password, same address
    assert 0 < info.value.retry_after <= 15 * 60
    assert session.execute(select(AuditEvent).where(AuditEvent.event == "user.locked_out")).first()
    # The owner, from another address, is not locked out, and is told of the attempts.
    issued = sessions.login(session, "county", PASSWORD, client="10.9.9.9", policy=POLICY, now=clock())
    assert issued.failures_since_last_login == 6  # five failures and one refused attempt
    session.commit()
    clock.advance(minutes=15)
    _try(session, clock, "county", PASSWORD, client="10.6.6.7")


def test_failures_from_rotating_addresses_never_lock_the_account(session: Session, clock: Clock) -> None:
    seed_org(session)
    _fail(session, clock, 12)  # each from its own address
    issued = sessions.login(session, "county", PASSWORD, client="10.0.0.1", policy=POLICY, now=clock())
    assert issued.failures_since_last_login == 12
    session.commit()
    again = sessions.login(session, "county", PASSWORD, client="10.0.0.1", policy=POLICY, now=clock())
    assert again.failures_since_last_login == 0
