"""审计日志查询 and 审计链状态: filters, paging, event names; the chain checked with its checkpoints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import true
from sqlalchemy.orm import Session

from sanjianguan.audit import anchor
from sanjianguan.audit.events import ClueStatusChanged
from sanjianguan.audit.log import Actor, record
from sanjianguan.audit.search import AuditQuery, event_labels, event_types, search
from sanjianguan.audit.status import UNUSABLE, chain_status
from sanjianguan.audit.verify import verify
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import AuditEvent
from tests.audit.test_chain import _tamper

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _append(session: Session, count: int) -> None:
    for i in range(count):
        event = ClueStatusChanged(subject_id=f"c{i % 3}", after={"status": "pushed"}, transition="push")
        record(session, event, actor=Actor(i % 2, f"user{i % 2}"), now=T0 + timedelta(days=i))
    session.commit()


def test_filters_and_paging(session: Session) -> None:
    _append(session, 7)
    everything = search(session, AuditQuery(per_page=3), visible=true())
    assert (everything.total, everything.pages) == (7, 3)
    assert [r.seq for r in everything.rows] == [7, 6, 5]  # newest first
    last = search(session, AuditQuery(page=3, per_page=3), visible=true())
    assert [r.seq for r in last.rows] == [1]
    by_actor = search(session, AuditQuery(actor="user1"), visible=true())
    assert [r.seq for r in by_actor.rows] == [6, 4, 2]
    by_subject = search(session, AuditQuery(subject_id="c0"), visible=true())
    assert [r.seq for r in by_subject.rows] == [7, 4, 1]
    window = AuditQuery(since=T0 + timedelta(days=2), until=T0 + timedelta(days=4))
    assert [r.seq for r in search(session, window, visible=true()).rows] == [4, 3]
    scoped = search(session, AuditQuery(), visible=AuditEvent.subject_id == "c2")
    assert scoped.total == 2
    assert search(session, AuditQuery(event="no.such"), visible=true()).total == 0


def test_event_types_and_their_chinese_names(session: Session) -> None:
    _append(session, 2)
    assert event_types(session, visible=true()) == ["clue.status_changed"]
    labels = event_labels()
    assert labels["clue.status_changed"] == "线索状态变更"
    assert labels["case.pushed"] == "线索推送"


def test_chain_status_ok_and_broken(session: Session, database: Database, tmp_path: Path) -> None:
    _append(session, 4)
    status = chain_status(session, tmp_path, now=T0)
    assert status.ok
    assert (status.rows, status.checkpoints, status.checked_at) == (4, 0, T0)
    key = anchor.load_key(tmp_path / anchor.KEY_FILE, create=True)
    anchor.append_checkpoint(
        tmp_path / anchor.CHECKPOINT_FILE, anchor.make_checkpoint(verify(session), key, T0)
    )
    assert chain_status(session, tmp_path, now=T0).checkpoints == 1
    assert chain_status(session, tmp_path, now=T0).ok
    session.rollback()  # no open read: the tamperer's DDL would wait for it
    _tamper(database, "UPDATE audit_events SET reason = 'x' WHERE seq = 2")
    broken = chain_status(session, tmp_path, now=T0)
    assert not broken.ok
    assert broken.broken is not None
    assert (broken.broken.seq, broken.broken.kind) == (2, "edited")
    (tmp_path / anchor.KEY_FILE).unlink()
    assert chain_status(session, tmp_path, now=T0).problems == [UNUSABLE]
