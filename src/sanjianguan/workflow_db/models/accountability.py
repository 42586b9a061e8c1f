"""Accountability tables (责任追究): the ladder's proposals and the facts it counts.

A proposal (追责建议) is what the ladder engine (`sanjianguan.accountability.proposals`)
proposes for one subject, row and window, with the counted times as evidence; a person
confirms or rejects it. `accountability_events` holds the facts the workflow does not
produce itself: interviews held outside the ladder, administrative penalties (art. 16)
and accountability not carried out (art. 33).

A proposal's status (`ProposalStatus`) and mitigation (`Mitigation`) are StrEnums declared
here, with the model, and the columns are typed with them (`string_enum`: stored as the
value, no CHECK, so a new member needs no migration); `sanjianguan.accountability.service`
re-exports them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sanjianguan.workflow_db.base import Base, string_enum


class ProposalStatus(enum.StrEnum):
    """追责建议状态."""

    PROPOSED = "proposed"  # 待确认
    CONFIRMED = "confirmed"  # 已确认
    REJECTED = "rejected"  # 已驳回
    WITHDRAWN = "withdrawn"  # 已撤回（条件不再满足）

    @property
    def label_zh(self) -> str:
        """状态的中文名称."""
        return PROPOSAL_STATUS_ZH[self]


PROPOSAL_STATUS_ZH: dict[ProposalStatus, str] = {
    ProposalStatus.PROPOSED: "待确认",
    ProposalStatus.CONFIRMED: "已确认",
    ProposalStatus.REJECTED: "已驳回",
    ProposalStatus.WITHDRAWN: "已撤回",
}


class Mitigation(enum.StrEnum):
    """从轻/减轻/免予/从重 (art. 12)."""

    NONE = "none"
    LIGHTER = "lighter"  # 从轻、减轻
    EXEMPTED = "exempted"  # 免予责任追究
    AGGRAVATED = "aggravated"  # 从重


MITIGATION_ZH: dict[Mitigation, str] = {  # in the reason's wording; none says nothing
    Mitigation.NONE: "",
    Mitigation.LIGHTER: "从轻、减轻处理",
    Mitigation.EXEMPTED: "免予责任追究",
    Mitigation.AGGRAVATED: "从重处理",
}


class AccountabilityProposal(Base):
    """追责建议: one ladder row met by one subject in one window (cycle or year).

    `key` is stable (row, subject, window), so re-running the ladder updates an open
    proposal instead of adding a second one. `status`: proposed → confirmed | rejected;
    withdrawn when a re-run no longer finds the condition met (e.g. an appeal overturned
    a decision). `mitigation` (art. 12): none, lighter, exempted or aggravated.
    """

    __tablename__ = "accountability_proposals"
    __table_args__ = (Index("ix_accountability_proposals_year_status", "year", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    row_id: Mapped[str] = mapped_column(String(64))
    article: Mapped[str] = mapped_column(String(16))
    subject_kind: Mapped[str] = mapped_column(String(16))  # doctor | department | institution
    subject_id: Mapped[str] = mapped_column(String(300))
    institution_id: Mapped[str] = mapped_column(ForeignKey("institutions.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    department: Mapped[str | None] = mapped_column(String(100))
    doctor_id: Mapped[str | None] = mapped_column(String(128))
    year: Mapped[int]
    window: Mapped[str] = mapped_column(String(8))  # cycle | year
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM (cycle) or YYYY (year)
    threshold: Mapped[int]
    times: Mapped[int]
    action: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    self_reported: Mapped[bool]
    status: Mapped[ProposalStatus] = mapped_column(string_enum(ProposalStatus, 16))
    mitigation: Mapped[Mitigation] = mapped_column(string_enum(Mitigation, 16))
    final_action: Mapped[str | None] = mapped_column(Text)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    proposed_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class AccountabilityEvent(Base):
    """追责事实: an interview (约谈), administrative penalty (行政处罚) or unexecuted accountability.

    Recorded by the office; counted by the ladder (art. 16, 25, 33).
    """

    __tablename__ = "accountability_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # interview | admin_penalty | not_carried_out
    institution_id: Mapped[str] = mapped_column(ForeignKey("institutions.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    occurred_on: Mapped[date]
    description: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(200), default="")  # 文号 / document number
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
