"""The audit chain: appends verify; raw-SQL edits, deletions and insertions are detected."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from sanjianguan.audit.events import ClueStatusChanged, UserCreated
from sanjianguan.audit.log import Actor, record
from sanjianguan.audit.verify import verify
from sanjianguan.workflow_db.connection import Database

FORGED_HASH = "substr(hash, 2) || 'f'"  # a different, still unique, 64-character value


def _append(session: Session, count: int) -> None:
    for i in range(count):
        event = ClueStatusChanged(
            subject_id=f"c{i}", before={"status": "generated"}, after={"status": "pushed"}, transition="push"
        )
        record(session, event, actor=Actor(7, "city"), reason=f"推送 {i}")
    session.commit()


def _drop_guards(con: Connection) -> None:
    """What a tamperer with DDL rights does first: remove the append-only triggers."""
    if con.dialect.name == "sqlite":
        con.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        con.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
    else:
        con.exec_driver_sql("DROP TRIGGER audit_events_no_change ON audit_events")


def _tamper(database: Database, *statements: str) -> None:
    with database.engine.begin() as con:
        _drop_guards(con)
        for statement in statements:
            con.execute(text(statement))


def test_appended_events_verify(session: Session) -> None:
    _append(session, 5)
    report = verify(session)
    assert report.ok
    assert report.rows == 5
    row = record(session, UserCreated(subject_id="1", after={"username": "a"}))
    assert row.prev_hash == report.head_hash
    session.commit()
    assert verify(session).ok


def test_updates_and_deletes_are_refused_by_the_database(session: Session, database: Database) -> None:
    _append(session, 2)
    for statement in ("UPDATE audit_events SET reason = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError), database.engine.begin() as con:
            con.execute(text(statement))


def test_edit_is_detected(session: Session, database: Database) -> None:
    _append(session, 5)
    _tamper(database, "UPDATE audit_events SET reason = 'nothing happened' WHERE seq = 3")
    broken = verify(session).broken
    assert broken is not None
    assert (broken.seq, broken.kind) == (3, "edited")


def test_delete_is_detected(session: Session, database: Database) -> None:
    _append(session, 5)
    _tamper(database, "DELETE FROM audit_events WHERE seq = 2")
    broken = verify(session).broken
    assert broken is not None
    assert (broken.seq, broken.kind) == (2, "deleted")


def test_deleted_tail_is_detected(session: Session, database: Database) -> None:
    _append(session, 5)
    _tamper(database, "DELETE FROM audit_events WHERE seq >= 4")
    broken = verify(session).broken
    assert broken is not None
    assert (broken.seq, broken.kind) == (4, "truncated")


def test_insertion_at_the_end_is_detected(session: Session, database: Database) -> None:
    _append(session, 5)
    fields = "occurred_at, actor_name, event, subject_type, subject_id, payload, prev_hash"
    _tamper(
        database,
        f"INSERT INTO audit_events (seq, {fields}, hash) "
        f"SELECT 6, {fields}, {FORGED_HASH} FROM audit_events WHERE seq = 5",
    )
    broken = verify(session).broken
    assert broken is not None
    assert (broken.seq, broken.kind) == (6, "inserted")


def test_renumbered_insertion_in_the_middle_is_detected(session: Session, database: Database) -> None:
    _append(session, 4)
    fields = "occurred_at, actor_name, event, subject_type, subject_id, payload, prev_hash"
    _tamper(
        database,
        "UPDATE audit_events SET seq = 5 WHERE seq = 4",
        "UPDATE audit_events SET seq = 4 WHERE seq = 3",
        f"INSERT INTO audit_events (seq, {fields}, hash) "
        f"SELECT 3, {fields}, {FORGED_HASH} FROM audit_events WHERE seq = 2",
    )
    broken = verify(session).broken
    assert broken is not None
    assert broken.seq == 3
