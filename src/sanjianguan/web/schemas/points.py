"""Penalty-point schemas (不良执业行为记分)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sanjianguan.points.service import AppealResult, PartyKind
from sanjianguan.web.schemas.common import MAX_INT, MONTH, QUARTER, REGION, RequestBody
from sanjianguan.web.schemas.vocabulary import renamed


class _Body(RequestBody):
    model_config = ConfigDict(extra="forbid")


class RecordCreate(_Body):
    """记分: staff (party_id = the doctor's code, responsibility 一般/重要/主要) or institution."""

    party_kind: PartyKind
    party_id: str = Field("", max_length=128)
    institution_id: str = Field(min_length=1, max_length=64)
    item_code: str = Field(min_length=1, max_length=32)
    responsibility: str | None = Field(None, max_length=16)
    event_date: date
    approved_on: date
    department: str = Field(min_length=1, max_length=100)
    description: str = Field(min_length=1, max_length=20_000)
    emergency: bool = False


class RecordPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    party_kind: str
    party_id: str
    institution_id: str
    region_code: str | None
    item_code: str
    item_text: str
    level: int
    responsibility: str | None
    points: int
    exempt: bool
    state: str
    event_date: date
    approved_on: date
    year: int
    department: str
    description: str
    notice_due: date
    notified_on: date | None
    received_on: date | None
    appeal_due: date | None
    report_due: date
    reported_on: date | None
    register_due: date | None
    registered_on: date | None
    late: list[str]


class NoticeCreate(_Body):
    received_on: date


class AppealCreate(_Body):
    reason: str = Field(min_length=1, max_length=20_000)


class AppealDecisionCreate(_Body):
    """申诉决定: outcome and its explanation; `points_after` when the points are reduced."""

    outcome: AppealResult = renamed("outcome", "result", "申诉决定 / appeal outcome")
    explanation: str = renamed(
        "explanation", "text", "决定理由 / explanation", min_length=1, max_length=20_000
    )
    points_after: int | None = Field(None, ge=1, le=MAX_INT)


class AppealPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    record_id: int
    reason: str
    filed_on: date
    decision_due: date
    decision_due_provisional: bool = Field(
        description="暂定期限：所在年度法定节假日日历尚未载入 / provisional due date"
    )
    result: str | None
    points_before: int
    points_after: int | None
    decision_text: str | None


class StaffStandingPublic(BaseModel):
    party_id: str
    year: int
    total: int
    status: str  # normal | suspended | terminated | barred
    suspended_on: date | None
    suspend_months: tuple[int, int] | None
    terminated_on: date | None
    at_once: bool
    barred_until: date | None
    records: list[RecordPublic]


class InstitutionStandingPublic(BaseModel):
    institution_id: str
    year: int
    total: int
    band: str | None = Field(description="分档；当年未记分为 null / the band; null with no points")
    sanction: str | None = Field(description="该档处理；未记分为 null / the sanction; null with no points")
    records: list[RecordPublic]


class ReturnCreate(_Body):
    region_code: str = Field(pattern=REGION)
    month: str = Field(pattern=MONTH)
    department: str = Field(min_length=1, max_length=100)
    signed_by: str = Field(min_length=1, max_length=100)


class ReturnPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    region_code: str
    month: str
    department: str
    record_count: int
    points: int
    zero: bool
    due_on: date
    late: bool
    signed_by: str
    submitted_at: datetime


class MonthlySummaryPublic(BaseModel):
    region_code: str
    month: str
    due_on: date
    returns: list[ReturnPublic]
    missing: list[str]
    records: int
    points: int


class DisclosureCreate(_Body):
    region_code: str = Field(pattern=REGION)
    quarter: str = Field(pattern=QUARTER)


class DisclosurePublic(BaseModel):
    """季度公示 (public): per institution, its points and how many staff were scored."""

    model_config = ConfigDict(from_attributes=True)

    region_code: str
    quarter: str
    due_on: date
    late: bool
    published_at: datetime
    items: list[dict[str, Any]]
