"""Creating users: units, validation, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.passwords import verify_password
from sanjianguan.access.permissions import ROLE_ACTIONS, Action, can, require
from sanjianguan.access.users import create_user, parse_role
from sanjianguan.cases.errors import ConflictError, InvalidInputError, PermissionDeniedError
from sanjianguan.db.models import AuditEvent, Institution, Region, Role
from tests.db.fixtures import PASSWORD


def test_create_user_registers_its_region_chain_and_is_audited(session: Session) -> None:
    user = create_user(
        session, username="Zhang.San", password=PASSWORD, role=Role.OFFICE, region_code="511502"
    )
    session.commit()
    assert user.username == "zhang.san"
    assert verify_password(user.password_hash, PASSWORD)
    assert {r.code for r in session.execute(select(Region)).scalars()} == {"510000", "511500", "511502"}
    events = session.execute(select(AuditEvent.event).order_by(AuditEvent.seq)).scalars().all()
    assert events[-1] == "user.created"
    assert PASSWORD not in str(session.execute(select(AuditEvent.payload, AuditEvent.after)).all())


def test_units_are_checked(session: Session) -> None:
    with pytest.raises(InvalidInputError):
        create_user(session, username="a1", password=PASSWORD, role=Role.INSTITUTION, region_code="511502")
    with pytest.raises(InvalidInputError):
        create_user(session, username="a2", password=PASSWORD, role=Role.INSTITUTION, institution_id="H404")
    with pytest.raises(InvalidInputError):
        create_user(session, username="a3", password=PASSWORD, role=Role.OFFICE)
    session.add(Institution(id="H1", name="h"))
    session.flush()
    user = create_user(session, username="h1", password=PASSWORD, role=Role.INSTITUTION, institution_id="H1")
    assert user.institution_id == "H1"
    with pytest.raises(ConflictError):
        create_user(session, username="H1", password=PASSWORD, role=Role.OFFICE, region_code="511502")
    with pytest.raises(InvalidInputError):
        parse_role("admin")


def test_every_role_has_permissions_and_auditors_only_read(session: Session) -> None:
    assert set(ROLE_ACTIONS) == set(Role)
    auditor = create_user(
        session, username="audit", password=PASSWORD, role=Role.AUDITOR, region_code="510000"
    )
    assert can(auditor, Action.AUDIT_READ)
    assert not can(auditor, Action.CLUE_PUSH)
    with pytest.raises(PermissionDeniedError):
        require(auditor, Action.CLUE_DECIDE)
