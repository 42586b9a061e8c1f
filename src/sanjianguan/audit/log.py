"""The append-only writer: every state change is recorded here, in the caller's transaction.

Call `record(session, event, actor=..., reason=...)` inside the same session (and so the
same transaction) as the change itself: if the change rolls back, so does its record.
Appends are serialised by locking the chain head row (`SELECT ... FOR UPDATE` on
PostgreSQL; SQLite has one writer at a time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.audit.chain import plain, row_hash
from sanjianguan.audit.events import Event
from sanjianguan.workflow_db.base import utcnow
from sanjianguan.workflow_db.models import AuditEvent, AuditHead, User

HEAD_ID = 1


@dataclass(frozen=True)
class Actor:
    """Who acted: a user, or the system (scheduled jobs, command-line batch work)."""

    id: int | None
    name: str

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(id=user.id, name=user.username)


SYSTEM = Actor(id=None, name="system")


def record(
    session: Session,
    event: Event,
    *,
    actor: Actor | User = SYSTEM,
    reason: str | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one event to the chain (flushed, not committed: the caller's transaction decides)."""
    who = Actor.of(actor) if isinstance(actor, User) else actor
    head = session.execute(select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()).scalar_one()
    row = AuditEvent(
        seq=head.seq + 1,
        occurred_at=now or utcnow(),
        actor_id=who.id,
        actor_name=who.name,
        event=event.name,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        reason=reason,
        before=plain(event.before),
        after=plain(event.after),
        payload=plain(event.payload()),
        prev_hash=head.hash,
    )
    row.hash = row_hash(head.hash, row)
    head.seq, head.hash = row.seq, row.hash
    session.add(row)
    session.flush()
    return row
