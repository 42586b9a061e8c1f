"""The audit log (审计日志): append-only, hash-chained rows written by `sanjianguan.audit.log`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sanjianguan.workflow_db.base import Base


class AuditEvent(Base):
    """审计事件: who, when, what (event, subject), why, before, after; `hash` chains the rows.

    `seq` is assigned by the writer (no gaps): a missing number is a deleted row.
    `hash = sha256(prev_hash + canonical JSON of the row)`; see `sanjianguan.audit.chain`.
    Database triggers refuse UPDATE and DELETE on this table.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime]
    actor_id: Mapped[int | None]  # no foreign key: the log outlives and does not constrain users
    actor_name: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(160))
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The chain's head (one row, id 1): last seq and hash.

    Writers lock it to append one at a time; `verify` compares it with the last row, which
    detects a deleted tail. Anchor its hash outside the database (reports) for full assurance.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
