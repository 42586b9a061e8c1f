"""Penalty-point tables (不良执业行为记分, seed 001): records, appeals, returns, disclosures.

A record is one scored event against a staff member (医务人员, keyed by the doctor's
national code, one record set across institutions) or an institution. Its notice
deadlines are stored as Chinese dates: notice to the scored party within 3 days of
approval, report to the office within 10 days, the office records within 3 days of
the report; the scored party may appeal within 3 days of receiving the notice.

A record's state (`PointState`) and an appeal's result (`AppealResult`) are StrEnums
declared here and the columns are typed with them (`string_enum`: stored as the value, no
CHECK, so a new member needs no migration); `sanjianguan.points.service` re-exports
`AppealResult`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from sanjianguan.workflow_db.base import Base, string_enum


class PointState(enum.StrEnum):
    """记分状态: a record counts while active; revoked on appeal (撤销记分), never deleted."""

    ACTIVE = "active"  # 有效
    REVOKED = "revoked"  # 已撤销

    @property
    def label_zh(self) -> str:
        """状态的中文名称."""
        return POINT_STATE_ZH[self]


POINT_STATE_ZH: dict[PointState, str] = {PointState.ACTIVE: "有效", PointState.REVOKED: "已撤销"}


class AppealResult(enum.StrEnum):
    """记分申诉决定: the points stand, are changed, or are revoked."""

    UPHELD = "upheld"  # 维持
    AMENDED = "amended"  # 变更分值
    REVOKED = "revoked"  # 撤销记分

    @property
    def label_zh(self) -> str:
        """决定的中文名称."""
        return APPEAL_RESULT_ZH[self]


APPEAL_RESULT_ZH: dict[AppealResult, str] = {
    AppealResult.UPHELD: "维持",
    AppealResult.AMENDED: "变更分值",
    AppealResult.REVOKED: "撤销记分",
}


class PointRecord(Base):
    """记分记录: one scored event; `points` counts in `year` unless revoked or exempt."""

    __tablename__ = "point_records"
    __table_args__ = (Index("ix_point_records_party_year", "party_kind", "party_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_kind: Mapped[str] = mapped_column(String(16))  # staff | institution
    party_id: Mapped[str] = mapped_column(String(128))
    institution_id: Mapped[str] = mapped_column(ForeignKey("institutions.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    item_code: Mapped[str] = mapped_column(String(32))
    item_text: Mapped[str] = mapped_column(Text)
    level: Mapped[int]  # severity level of the point table (staff: 1-4; institution: 1-5)
    responsibility: Mapped[str | None] = mapped_column(String(16))  # 一般 | 重要 | 主要 (staff)
    points: Mapped[int]
    exempt: Mapped[bool]  # 急诊抢救 emergency rescue: recorded, counts 0
    state: Mapped[PointState] = mapped_column(string_enum(PointState, 16))
    event_date: Mapped[date]
    approved_on: Mapped[date]
    year: Mapped[int]  # scoring cycle (calendar year of approval)
    department: Mapped[str] = mapped_column(String(100))  # 记分科室: who inspected and scored
    description: Mapped[str] = mapped_column(Text)
    notice_due: Mapped[date]
    notified_on: Mapped[date | None]
    received_on: Mapped[date | None]
    appeal_due: Mapped[date | None]
    report_due: Mapped[date]
    reported_on: Mapped[date | None]
    register_due: Mapped[date | None]
    registered_on: Mapped[date | None]
    late: Mapped[list[str]] = mapped_column(JSON)  # the department's/office's steps done late
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PointAppeal(Base):
    """记分申诉: filed within 3 days of receiving the notice; decided within 10 working days."""

    __tablename__ = "point_appeals"

    record_id: Mapped[int] = mapped_column(ForeignKey("point_records.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    filed_on: Mapped[date]
    filed_at: Mapped[datetime]
    filed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_due: Mapped[date]
    decision_due_provisional: Mapped[bool] = mapped_column(default=False, server_default=false())  # 暂定
    decision_working_days: Mapped[int | None]  # to recompute `decision_due` when its year is loaded
    result: Mapped[AppealResult | None] = mapped_column(string_enum(AppealResult, 16))
    points_before: Mapped[int]
    points_after: Mapped[int | None]
    decision_text: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PointMonthlyReturn(Base):
    """月度汇总报送: one department's return for a month (zero-report when it scored nothing)."""

    __tablename__ = "point_monthly_returns"
    __table_args__ = (UniqueConstraint("region_code", "month", "department"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    month: Mapped[str] = mapped_column(String(7))
    department: Mapped[str] = mapped_column(String(100))
    record_count: Mapped[int]
    points: Mapped[int]
    zero: Mapped[bool]
    due_on: Mapped[date]
    late: Mapped[bool]
    signed_by: Mapped[str] = mapped_column(String(100))  # 科室负责人签字确认
    submitted_at: Mapped[datetime]
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PointDisclosure(Base):
    """季度公示: the published list of a region's quarter (a snapshot: what the public sees)."""

    __tablename__ = "point_disclosures"
    __table_args__ = (UniqueConstraint("region_code", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    quarter: Mapped[str] = mapped_column(String(7))  # YYYY-Qn
    due_on: Mapped[date]
    late: Mapped[bool]
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    published_at: Mapped[datetime]
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
