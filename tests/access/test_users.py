"""Creating users: units, validation, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.passwords import verify_password
from sanjianguan.access.permissions import ROLE_ACTIONS, Action, can, require
from sanjianguan.access.regions import ensure_region
from sanjianguan.access.users import create_user, list_users, parse_role, set_active
from sanjianguan.errors import ConflictError, InvalidInputError, PermissionDeniedError
from sanjianguan.workflow_db.models import AuditEvent, Institution, Region, Role, User
from tests.workflow_db.fixtures import PASSWORD


def test_create_user_needs_a_known_region_and_is_audited(session: Session) -> None:
    for code in ("999999", "511502"):  # well-formed but not registered: refused, nothing written
        with pytest.raises(InvalidInputError, match="sjg users regions") as refused:
            create_user(session, username="x1", password=PASSWORD, role=Role.OFFICE, region_code=code)
        assert refused.value.code == "unknown_region"
    assert session.execute(select(User)).first() is None
    ensure_region(session, "511502")
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
    ensure_region(session, "511502")
    with pytest.raises(ConflictError):
        create_user(session, username="H1", password=PASSWORD, role=Role.OFFICE, region_code="511502")
    with pytest.raises(InvalidInputError):
        parse_role("admin")


def test_every_role_has_permissions_and_auditors_only_read(session: Session) -> None:
    assert set(ROLE_ACTIONS) == set(Role)
    ensure_region(session, "510000")
    auditor = create_user(
        session, username="audit", password=PASSWORD, role=Role.AUDITOR, region_code="510000"
    )
    assert can(auditor, Action.AUDIT_READ)
    assert not can(auditor, Action.CLUE_PUSH)
    with pytest.raises(PermissionDeniedError):
        require(auditor, Action.CLUE_DECIDE)


def test_list_and_disable_enable_are_audited(session: Session) -> None:
    ensure_region(session, "511502")
    ensure_region(session, "511503")
    session.add(Institution(id="H1", name="h", region_code="511502"))
    session.flush()
    office = create_user(
        session, username="office", password=PASSWORD, role=Role.OFFICE, region_code="511500"
    )
    create_user(session, username="nanxi", password=PASSWORD, role=Role.ANALYST, region_code="511503")
    create_user(session, username="h1", password=PASSWORD, role=Role.INSTITUTION, institution_id="H1")
    assert [u.username for u in list_users(session)] == ["h1", "nanxi", "office"]
    assert [u.username for u in list_users(session, role=Role.ANALYST)] == ["nanxi"]
    assert [u.username for u in list_users(session, region_code="511502")] == ["h1"]
    assert [u.username for u in list_users(session, region_code="511500")] == ["h1", "nanxi", "office"]
    with pytest.raises(InvalidInputError):
        list_users(session, region_code="999999")
    assert set_active(session, office, False) is True
    assert set_active(session, office, False) is False
    assert not can(office, Action.CLUE_READ)
    assert set_active(session, office, True) is True
    session.commit()
    rows = session.execute(
        select(AuditEvent.event, AuditEvent.before, AuditEvent.after).where(
            AuditEvent.subject_id == str(office.id)
        )
    ).all()
    assert [tuple(r) for r in rows[1:]] == [
        ("user.disabled", {"is_active": True}, {"is_active": False}),
        ("user.enabled", {"is_active": False}, {"is_active": True}),
    ]
