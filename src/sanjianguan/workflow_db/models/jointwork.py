"""Joint work tables (联合监管): inspections, campaigns and referrals.

- 双随机一公开: a yearly plan per region (`inspection_plans`), its visits
  (`inspection_visits`, one per institution and round, several items per visit) and the
  inspectors drawn for each visit (`inspection_inspectors`); inspectors declare
  conflicts in `inspector_conflicts`.
- 专项治理: a campaign (`campaigns`) with its four phases, participating institutions and
  the records its closing tally sums (`campaign_records`).
- 移送: a clue referred to another department, and that department's feedback
  (`referrals`).

States and the referral's outcome are StrEnums declared here and the columns are typed
with them (`string_enum`: stored as the value, no CHECK, so a new member needs no
migration). Kinds are plain strings (their enums live in each package).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sanjianguan.workflow_db.base import Base, Money, string_enum


class VisitStatus(enum.StrEnum):
    """检查任务状态: planned until the visit's findings are recorded."""

    PLANNED = "planned"  # 待检查
    DONE = "done"  # 已检查

    @property
    def label_zh(self) -> str:
        """状态的中文名称."""
        return VISIT_STATUS_ZH[self]


VISIT_STATUS_ZH: dict[VisitStatus, str] = {VisitStatus.PLANNED: "待检查", VisitStatus.DONE: "已检查"}


class CampaignStatus(enum.StrEnum):
    """专项治理状态: open until the office closes it with its tally."""

    OPEN = "open"  # 进行中
    CLOSED = "closed"  # 已结束

    @property
    def label_zh(self) -> str:
        """状态的中文名称."""
        return CAMPAIGN_STATUS_ZH[self]


CAMPAIGN_STATUS_ZH: dict[CampaignStatus, str] = {
    CampaignStatus.OPEN: "进行中",
    CampaignStatus.CLOSED: "已结束",
}


class ReferralStatus(enum.StrEnum):
    """移送状态: sent, received by the other department, answered with its outcome."""

    SENT = "sent"  # 已移送
    RECEIVED = "received"  # 已接收
    ANSWERED = "answered"  # 已反馈

    @property
    def label_zh(self) -> str:
        """状态的中文名称."""
        return REFERRAL_STATUS_ZH[self]


REFERRAL_STATUS_ZH: dict[ReferralStatus, str] = {
    ReferralStatus.SENT: "已移送",
    ReferralStatus.RECEIVED: "已接收",
    ReferralStatus.ANSWERED: "已反馈",
}


class ReferralOutcome(enum.StrEnum):
    """查办结果: what the receiving department reports back about a referred case."""

    PENALISED = "penalised"  # 已查处
    NO_VIOLATION = "no_violation"  # 未发现违法违规
    TRANSFERRED = "transferred"  # 已移送司法机关
    OTHER = "other"  # 其他

    @property
    def label_zh(self) -> str:
        """结果的中文名称."""
        return REFERRAL_OUTCOME_ZH[self]


REFERRAL_OUTCOME_ZH: dict[ReferralOutcome, str] = {
    ReferralOutcome.PENALISED: "已查处",
    ReferralOutcome.NO_VIOLATION: "未发现违法违规",
    ReferralOutcome.TRANSFERRED: "已移送司法机关",
    ReferralOutcome.OTHER: "其他",
}

# --- 双随机一公开 -----------------------------------------------------------------------


class InspectionPlan(Base):
    """检查计划: one seeded draw of targets and inspectors for a region and a year."""

    __tablename__ = "inspection_plans"
    __table_args__ = (Index("ix_inspection_plans_year_region", "year", "region_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    seed: Mapped[str] = mapped_column(String(40))
    extra_visits: Mapped[int]
    problem_weight: Mapped[int]
    problem_cap: Mapped[int]
    inspectors_per_visit: Mapped[int]
    items: Mapped[list[str]] = mapped_column(JSON)
    departments: Mapped[list[str]] = mapped_column(JSON)
    weights: Mapped[dict[str, Any]] = mapped_column(JSON)  # institution → {problems, weight}
    inspector_pool: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    audit_seq: Mapped[int]


class InspectionVisit(Base):
    """检查任务: one visit of one institution (a joint inspection covers all its items at once)."""

    __tablename__ = "inspection_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institutions.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    round: Mapped[str] = mapped_column(String(16))  # baseline | weighted
    month: Mapped[int]  # planned month of the year (1-12)
    items: Mapped[list[str]] = mapped_column(JSON)
    departments: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[VisitStatus] = mapped_column(string_enum(VisitStatus, 16), default=VisitStatus.PLANNED)
    summary: Mapped[str | None] = mapped_column(Text)
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    recorded_at: Mapped[datetime | None]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class InspectionInspector(Base):
    """检查人员: an inspector drawn for a visit."""

    __tablename__ = "inspection_inspectors"
    __table_args__ = (UniqueConstraint("visit_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("inspection_visits.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)


class InspectorConflict(Base):
    """检查人员回避申报: an inspector is never drawn for this institution."""

    __tablename__ = "inspector_conflicts"
    __table_args__ = (UniqueConstraint("user_id", "institution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institutions.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime]


# --- 专项治理 -----------------------------------------------------------------------------


class Campaign(Base):
    """专项治理: target rules, a region, phases, participating institutions, a closing tally."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    rule_ids: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[CampaignStatus] = mapped_column(
        string_enum(CampaignStatus, 16), default=CampaignStatus.OPEN
    )
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CampaignPhase(Base):
    """治理阶段: deployment, self_check, supervision, consolidation, with dates (inclusive)."""

    __tablename__ = "campaign_phases"
    __table_args__ = (UniqueConstraint("campaign_id", "phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    phase: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date]
    ends_on: Mapped[date]


class CampaignInstitution(Base):
    """参与机构."""

    __tablename__ = "campaign_institutions"
    __table_args__ = (UniqueConstraint("campaign_id", "institution_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institutions.id"), index=True)


class CampaignRecord(Base):
    """治理台账: one amount of the tally (confirmed, fine, recovered, refund); voided, never deleted."""

    __tablename__ = "campaign_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institutions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money())
    source: Mapped[str] = mapped_column(String(16))  # self_reported (自查从宽) | found (被查从严)
    phase: Mapped[str | None] = mapped_column(String(16))
    clue_id: Mapped[str | None] = mapped_column(ForeignKey("clues.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_at: Mapped[datetime | None]
    voided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str | None] = mapped_column(Text)


# --- 移送 ---------------------------------------------------------------------------------


class Referral(Base):
    """移送: a clue referred to another department; its acknowledgement and feedback of the outcome."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    clue_id: Mapped[str] = mapped_column(ForeignKey("clues.id"), index=True)
    department: Mapped[str] = mapped_column(String(32))  # insurance | market_regulator
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ReferralStatus] = mapped_column(
        string_enum(ReferralStatus, 16), default=ReferralStatus.SENT
    )
    sent_at: Mapped[datetime]
    sent_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime | None]
    received_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[ReferralOutcome | None] = mapped_column(string_enum(ReferralOutcome, 16))
    feedback: Mapped[str | None] = mapped_column(Text)
    amount_recovered: Mapped[Decimal | None] = mapped_column(Money())
    fine: Mapped[Decimal | None] = mapped_column(Money())
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
