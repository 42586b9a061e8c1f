"""Clue workflow tables (线索闭环): what each step of `sanjianguan.cases` records.

The clue's status lives on `clues.status`; these tables keep the step's content (the
self-check, the draw, the votes, the decision, ...). The `outcome`-like columns are typed
with the StrEnums of `sanjianguan.workflow_db.models.outcomes` (`string_enum`: stored as
the value, no CHECK, so a new member needs no migration).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from sanjianguan.workflow_db.base import Base, string_enum
from sanjianguan.workflow_db.models.outcomes import (
    DeadlineOutcome,
    Decision,
    DecisionBasis,
    ReviewResult,
    SelfCheckOutcome,
)


class PushBatch(Base):
    """推送批次: one push of a period's clues to one region (one auditable action)."""

    __tablename__ = "push_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    pushed_at: Mapped[datetime]
    pushed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    clue_count: Mapped[int]
    audit_seq: Mapped[int]


class Deadline(Base):
    """办理期限: one per clue and step; `due_on` is a Chinese calendar date (inclusive).

    `first_due_on` keeps the original date when a reminder set a second one. `outcome`:
    None while open, then met, missed or cancelled (the clue left the step's states).
    `provisional` (暂定): `due_on` counts working days of a year not yet loaded; it is
    recomputed from `counted_from` + `working_days` when the year is loaded.
    """

    __tablename__ = "deadlines"
    __table_args__ = (
        UniqueConstraint("clue_id", "step"),
        Index("ix_deadlines_open_due", "closed_at", "due_on"),
        # the on-time self-check rate, from the index alone (migration 0008)
        Index(
            "ix_deadlines_clue_cover",
            "clue_id",
            "step",
            "outcome",
            "first_due_on",
            "closed_at",
            "reminded_on",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clue_id: Mapped[str] = mapped_column(ForeignKey("clues.id"), index=True)
    step: Mapped[str] = mapped_column(String(32))
    started_on: Mapped[date]
    due_on: Mapped[date]
    first_due_on: Mapped[date]
    hard: Mapped[bool]
    reminded_on: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(Text)
    late_flagged_on: Mapped[date | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[DeadlineOutcome | None] = mapped_column(string_enum(DeadlineOutcome, 16))
    provisional: Mapped[bool] = mapped_column(default=False, server_default=false())
    counted_from: Mapped[date | None]  # the date `due_on` counts from (None: calendar days)
    working_days: Mapped[int | None]  # working days counted (None: calendar days)


class SelfCheck(Base):
    """机构自查: the institution's answer (confirmed/disputed) with explanation and handling."""

    __tablename__ = "self_checks"

    clue_id: Mapped[str] = mapped_column(ForeignKey("clues.id"), primary_key=True)
    outcome: Mapped[SelfCheckOutcome] = mapped_column(string_enum(SelfCheckOutcome, 16))
    explanation: Mapped[str] = mapped_column(Text)
    handling: Mapped[str] = mapped_column(Text, default="")  # 院内处理及整改（属实时）
    submitted_at: Mapped[datetime]
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class EvidenceFile(Base):
    """证明材料: a stored file (content-addressed by SHA-256) attached to a clue and a step."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    clue_id: Mapped[str] = mapped_column(ForeignKey("clues.id"), index=True)
    step: Mapped[str] = mapped_column(String(32))  # the action that brought it
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SamplingDraw(Base):
    """抽查抽样: one seeded, stratified draw over a period's self-checked clues of a region."""

    __tablename__ = "sampling_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    rate: Mapped[str] = mapped_column(String(12))  # decimal text: exact in the audit record
    seed: Mapped[str] = mapped_column(String(40))
    population_count: Mapped[int]
    population_sha256: Mapped[str] = mapped_column(String(64))
    drawn_count: Mapped[int]
    drawn_at: Mapped[datetime]
    drawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    audit_seq: Mapped[int]


class SamplingMember(Base):
    """A clue of a draw's population: drawn (random or selected dispute) or not."""

    __tablename__ = "sampling_members"

    clue_id: Mapped[str] = mapped_column(ForeignKey("clues.id"), primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("sampling_draws.id"), index=True)
    stratum: Mapped[str] = mapped_column(String(200))
    drawn: Mapped[bool]
    reason: Mapped[str] = mapped_column(String(16))  # random | selected | not_drawn


class Verification(Base):
    """调查核实: the investigator's conclusion on the self-check, with the on-site record."""

    __tablename__ = "verifications"

    clue_id: Mapped[str] = mapped_column(ForeignKey("clues.id"), primary_key=True)
    # Values: VerificationConclusion. Kept as plain text: rows holding other text exist (an
    # existing test fixture stores "confirmed"), and a typed column would refuse to load them.
    conclusion: Mapped[str] = mapped_column(String(16))
    record: Mapped[str] = mapped_column(Text)
    verified_at: Mapped[datetime]
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ExpertProfile(Base):
    """专家库: an expert user's specialties and affiliated institution (excluded from its clues)."""

    __tablename__ = "expert_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    specialties: Mapped[list[str]] = mapped_column(JSON)
    institution_id: Mapped[str | None] = mapped_column(ForeignKey("institutions.id"))
    updated_at: Mapped[datetime]


class ExpertConflict(Base):
    """专家回避申报: an expert declares a conflict with an institution or one clue."""

    __tablename__ = "expert_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    institution_id: Mapped[str | None] = mapped_column(ForeignKey("institutions.id"))
    clue_id: Mapped[str | None] = mapped_column(ForeignKey("clues.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime]


class Adjudication(Base):
    """裁定判决: the panel (specialty, size, seed) and, once all have voted, the ruling."""

    __tablename__ = "adjudications"

    clue_id: Mapped[str] = mapped_column(ForeignKey("clues.id"), primary_key=True)
    opened_at: Mapped[datetime]
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    specialty: Mapped[str | None] = mapped_column(String(64))
    panel_size: Mapped[int | None]
    seed: Mapped[str | None] = mapped_column(String(40))
    pool: Mapped[list[int] | None] = mapped_column(JSON)
    drawn_at: Mapped[datetime | None]
    ruling: Mapped[Decision | None] = mapped_column(string_enum(Decision, 16))
    ruling_text: Mapped[str | None] = mapped_column(Text)
    tally: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ruled_at: Mapped[datetime | None]
    ruled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Vote(Base):
    """专家表决: one vote and opinion per panel member (hidden from others until the ruling)."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("clue_id", "expert_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clue_id: Mapped[str] = mapped_column(ForeignKey("adjudications.clue_id"), index=True)
    expert_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    vote: Mapped[Decision] = mapped_column(string_enum(Decision, 16))
    opinion: Mapped[str] = mapped_column(Text)
    cast_at: Mapped[datetime]


class CaseDecision(Base):
    """认定: the decision on the clue, where it came from, and when it was notified."""

    __tablename__ = "case_decisions"

    clue_id: Mapped[str] = mapped_column(ForeignKey("clues.id"), primary_key=True)
    decision: Mapped[Decision] = mapped_column(string_enum(Decision, 16))
    basis: Mapped[DecisionBasis] = mapped_column(string_enum(DecisionBasis, 16))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notified_at: Mapped[datetime | None]


class Appeal(Base):
    """申诉与复核: the institution's appeal and the authority's review (upheld/overturned)."""

    __tablename__ = "appeals"

    clue_id: Mapped[str] = mapped_column(ForeignKey("clues.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime]
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    result: Mapped[ReviewResult | None] = mapped_column(string_enum(ReviewResult, 16))
    review_text: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Notice(Base):
    """通知: the decision notice (art. 29) and the responsibility notice (art. 30)."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("clue_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clue_id: Mapped[str] = mapped_column(ForeignKey("clues.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # decision | responsibility
    text: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime]
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Rectification(Base):
    """整改落实: the institution's report of rectification and in-hospital handling."""

    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    clue_id: Mapped[str] = mapped_column(ForeignKey("clues.id"), index=True)
    report: Mapped[str] = mapped_column(Text)
    handling: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime]
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
