"""Clue tables (疑似问题线索): the clue itself, its status and the experts assigned to it.

`ClueStatus` names the states of the closed loop (线索闭环) and types `clues.status`
(`string_enum`: stored as the value, no CHECK, so a new member needs no migration); the
legal moves between them are the workflow's (`sanjianguan.cases.transitions`), which
re-exports the enum from `sanjianguan.cases.states`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from sanjianguan.workflow_db.base import Base, Money, string_enum, utcnow


class ClueStatus(enum.StrEnum):
    """线索状态, in the order of the loop (spec "Clue lifecycle" steps 1-10)."""

    GENERATED = "generated"  # 已生成
    PUSHED = "pushed"  # 已推送
    SELF_CHECKED = "self_checked"  # 已自查
    SAMPLED = "sampled"  # 已抽中核实
    VERIFIED = "verified"  # 已核实
    ADJUDICATING = "adjudicating"  # 裁定中
    DECIDED = "decided"  # 已认定
    APPEALED = "appealed"  # 申诉中
    ACCOUNTABILITY = "accountability"  # 责任追究中
    CLOSED = "closed"  # 已办结

    @property
    def label_zh(self) -> str:
        """状态的中文名称 (shown in messages instead of the internal value)."""
        return STATUS_ZH[self]


STATUS_ZH: dict[ClueStatus, str] = {
    ClueStatus.GENERATED: "已生成",
    ClueStatus.PUSHED: "已推送",
    ClueStatus.SELF_CHECKED: "已自查",
    ClueStatus.SAMPLED: "已抽中核实",
    ClueStatus.VERIFIED: "已核实",
    ClueStatus.ADJUDICATING: "裁定中",
    ClueStatus.DECIDED: "已认定",
    ClueStatus.APPEALED: "申诉中",
    ClueStatus.ACCOUNTABILITY: "责任追究中",
    ClueStatus.CLOSED: "已办结",
}

INITIAL_STATUS = ClueStatus.GENERATED  # where every clue starts; the workflow moves it on


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
        # lists by month and status: id order, region, amount from the index (migration 0008)
        Index("ix_clues_period_status_list", "period", "status", "id", "region_code", "amount_involved"),
        Index("ix_clues_id_region", "id", "region_code"),
        # lists sorted by amount, largest first (migration 0009: on SQLite without NULLS LAST,
        # which its CREATE INDEX refuses and its DESC does anyway)
        Index(
            "ix_clues_list_amount",
            "period",
            "status",
            text("(amount_involved + 0) DESC NULLS LAST"),
            "id",
            "region_code",
        ).ddl_if(dialect="postgresql"),
        # the dashboard cache's fingerprint: the latest change of any clue (migration 0008)
        Index("ix_clues_updated_at", "updated_at"),
        # the dashboard's month figures and trend, from the index alone (migration 0008)
        Index(
            "ix_clues_month_cover",
            "period",
            "region_code",
            "status",
            "rule_id",
            "institution_id",
            "amount_involved",
            "id",
        ),
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
    status: Mapped[ClueStatus] = mapped_column(string_enum(ClueStatus, 32), default=INITIAL_STATUS)
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
