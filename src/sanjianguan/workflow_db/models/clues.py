"""Clue tables (疑似问题线索): the clue itself and the experts assigned to it."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sanjianguan.workflow_db.base import Base, Money, utcnow

INITIAL_STATUS = "generated"  # the state machine (sanjianguan.cases) defines the others


class SourceKind(enum.StrEnum):
    """线索来源: a level-1 rule hit, or a failing level-2 indicator."""

    HIT = "hit"
    INDICATOR = "indicator"


class Clue(Base):
    """疑似问题线索: one hit or failing indicator, made into a case to follow.

    Identities (doctor, patient) are pseudonymised upstream. `version` is an optimistic
    lock: a concurrent update of the same clue fails with StaleDataError.

    `id` is opaque (`XS` + 16 random characters: see `sanjianguan.clues.ids`), the
    same for every role; the stable key (稳定键) that makes generation idempotent is
    (`source_kind`, `source_id`), unique, never shown to experts.
    """

    __tablename__ = "clues"
    __table_args__ = (
        UniqueConstraint("source_kind", "source_id"),
        Index("ix_clues_period_status", "period", "status"),
    )

    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(String(128))
    rule_id: Mapped[str] = mapped_column(String(64), index=True)
    period: Mapped[str] = mapped_column(String(7))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institutions.id"), index=True)
    department: Mapped[str | None] = mapped_column(String(100))
    doctor_id: Mapped[str | None] = mapped_column(String(128))
    patient_id: Mapped[str | None] = mapped_column(String(128))
    encounter_id: Mapped[str | None] = mapped_column(String(128))
    event_date: Mapped[date | None]
    amount_involved: Mapped[Decimal | None] = mapped_column(Money())
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(32), default=INITIAL_STATUS)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy's declarative API)


class ExpertAssignment(Base):
    """专家分配: an expert may see the anonymised package of this clue (filled by adjudication)."""

    __tablename__ = "expert_assignments"
    __table_args__ = (UniqueConstraint("clue_id", "expert_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clue_id: Mapped[str] = mapped_column(ForeignKey("clues.id"), index=True)
    expert_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClueAlias(Base):
    """旧线索编号: an id a clue had before ids became opaque (migration 0006).

    Old links keep working for the roles that may see the clue (never for experts), and
    old audit events, which keep the old id, are shown with the clue's current id.
    """

    __tablename__ = "clue_aliases"

    old_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    clue_id: Mapped[str] = mapped_column(ForeignKey("clues.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
