"""Account management: users.reset_password / set_role, and the office-scoped access.accounts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access import accounts, users
from sanjianguan.access.passwords import verify_password
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sanjianguan.workflow_db.models import AuditEvent, AuthSession, Role, User
from tests.workflow_db.fixtures import PASSWORD, Org, seed_org

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def org(session: Session) -> Org:
    return seed_org(session)


def _events(session: Session, name: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.event == name)))


def _open_session(session: Session, user: User) -> None:
    session.add(
        AuthSession(token_hash=f"{user.id:064d}", user_id=user.id, created_at=NOW, expires_at=NOW, client="")
    )
    session.flush()


def test_generated_passwords_are_strong_and_differ() -> None:
    made = {users.generate_password() for _ in range(50)}
    assert len(made) == 50
    assert all(len(p) == 19 and not set(p) & set("0O1lI") for p in made)


def test_reset_password_ends_sessions_and_is_audited_without_the_password(session: Session, org: Org) -> None:
    target = org.users["hospital1"]
    _open_session(session, target)
    password = users.reset_password(session, target, actor=org.users["county"], now=NOW)
    session.flush()
    assert verify_password(target.password_hash, password)
    assert not verify_password(target.password_hash, PASSWORD)
    assert target.must_change_password
    assert session.scalars(select(AuthSession).where(AuthSession.revoked_at.is_(None))).first() is None
    (event,) = _events(session, "user.password_reset")
    assert event.payload == {"sessions_revoked": 1}
    assert event.actor_id == org.users["county"].id
    assert password not in str((event.payload, event.before, event.after))


def test_set_role_within_the_unit(session: Session, org: Org) -> None:
    target = org.users["investigator"]
    assert users.set_role(session, target, Role.ADJUDICATOR, now=NOW)
    assert not users.set_role(session, target, Role.ADJUDICATOR, now=NOW)  # unchanged: not audited
    (event,) = _events(session, "user.role_changed")
    assert (event.before, event.after) == ({"role": "investigator"}, {"role": "adjudicator"})
    with pytest.raises(InvalidInputError):
        users.set_role(session, target, Role.INSTITUTION, now=NOW)
    with pytest.raises(InvalidInputError):
        users.set_role(session, org.users["hospital1"], Role.OFFICE, now=NOW)


def test_an_office_manages_its_jurisdiction_only(session: Session, org: Org) -> None:
    county, city = org.users["county"], org.users["city"]
    assert {u.username for u in accounts.list_accounts(session, county)} == {
        "county",
        "investigator",
        "hospital1",
    }
    with pytest.raises(NotFoundError):
        accounts.get_account(session, county, org.users["hospital2"].id)
    with pytest.raises(NotFoundError):
        accounts.set_active(session, county, city.id, False, now=NOW)
    with pytest.raises(PermissionDeniedError):
        accounts.set_active(session, county, county.id, False, now=NOW)  # not its own
    with pytest.raises(PermissionDeniedError):
        accounts.list_accounts(session, org.users["hospital1"])


def test_create_account_in_the_jurisdiction_with_a_generated_password(session: Session, org: Org) -> None:
    county = org.users["county"]
    account, password = accounts.create_account(
        session, county, username="h1.op", role=Role.INSTITUTION, institution_id="H1"
    )
    assert account.must_change_password
    assert verify_password(account.password_hash, password)
    assert _events(session, "user.created")[-1].actor_id == county.id
    with pytest.raises(NotFoundError):
        accounts.create_account(session, county, username="h2.op", role=Role.INSTITUTION, institution_id="H2")
    with pytest.raises(NotFoundError):  # never an office of a higher region
        accounts.create_account(session, county, username="c.op", role=Role.OFFICE, region_code="511500")
    with pytest.raises(InvalidInputError):  # the auditor's role is reserved
        accounts.create_account(session, county, username="a.op", role=Role.AUDITOR, region_code="511502")


def test_reserved_role_and_stale_reset_and_repeats(session: Session, org: Org) -> None:
    province = org.users["province"]
    with pytest.raises(PermissionDeniedError):
        accounts.reset_password(session, province, org.users["auditor"].id, stamp="", now=NOW)
    with pytest.raises(InvalidInputError):
        accounts.assign_role(session, province, org.users["city"].id, Role.AUDITOR, now=NOW)
    target = org.users["investigator"]
    stamp = accounts.password_stamp(target)
    accounts.reset_password(session, province, target.id, stamp=stamp, now=NOW)
    with pytest.raises(ConflictError):
        accounts.reset_password(session, province, target.id, stamp=stamp, now=NOW)
    accounts.set_active(session, province, target.id, False, now=NOW)
    with pytest.raises(ConflictError):
        accounts.set_active(session, province, target.id, False, now=NOW)
    with pytest.raises(ConflictError):
        accounts.assign_role(session, province, target.id, Role.INVESTIGATOR, now=NOW)
