"""Audit events of penalty points (subject: the record, or the region's month/quarter)."""

from __future__ import annotations

from dataclasses import dataclass

from sanjianguan.audit.events import Event


@dataclass(frozen=True, kw_only=True)
class RecordEvent(Event):
    subject_type = "point_record"
    late: bool = False


@dataclass(frozen=True, kw_only=True)
class PointsRecorded(RecordEvent):
    """记分: party, item, points (0 when exempt), deadlines."""

    name = "points.recorded"
    party_kind: str
    party_id: str
    institution_id: str
    item_code: str
    points: int


@dataclass(frozen=True, kw_only=True)
class NoticeServed(RecordEvent):
    """送达《记分通知书》; opens the appeal period."""

    name = "points.notice_served"
    appeal_due: str


@dataclass(frozen=True, kw_only=True)
class PointsReported(RecordEvent):
    """报至办公室."""

    name = "points.reported"
    register_due: str


@dataclass(frozen=True, kw_only=True)
class PointsRegistered(RecordEvent):
    """办公室登记记分."""

    name = "points.registered"


@dataclass(frozen=True, kw_only=True)
class AppealFiled(RecordEvent):
    """记分申诉."""

    name = "points.appeal_filed"
    decision_due: str
    provisional: bool = False  # 暂定: counted with a year whose calendar is not loaded


@dataclass(frozen=True, kw_only=True)
class AppealDecided(RecordEvent):
    """记分申诉决定: upheld, amended (new points) or revoked."""

    name = "points.appeal_decided"
    result: str


@dataclass(frozen=True, kw_only=True)
class MonthlyReturnFiled(Event):
    """月度记分汇总报送（含零报告）."""

    name = "points.monthly_return"
    subject_type = "region"
    month: str
    department: str
    record_count: int
    zero: bool
    late: bool


@dataclass(frozen=True, kw_only=True)
class DisclosurePublished(Event):
    """季度公示."""

    name = "points.disclosed"
    subject_type = "region"
    quarter: str
    items: int
    late: bool


@dataclass(frozen=True, kw_only=True)
class AppealDecisionDueRecomputed(RecordEvent):
    """暂定复核期限重算: the appeal decision's deadline once its year's calendar is official."""

    name = "points.appeal_decision_due_recomputed"
    filed_on: str
    working_days: int
    years: list[int]


@dataclass(frozen=True, kw_only=True)
class PointDeadlineOverdue(RecordEvent):
    """记分期限逾期: a step of the record not done by its due day (flagged once, by the daily job)."""

    name = "points.deadline_overdue"
    step: str
    due_on: str
    late: bool = True


@dataclass(frozen=True, kw_only=True)
class MonthlyReturnOverdue(Event):
    """月度记分汇总逾期未报: a department's return (zero report included) not filed by the 10th."""

    name = "points.monthly_return_overdue"
    subject_type = "region"
    month: str
    department: str
    due_on: str
