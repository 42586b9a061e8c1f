"""Joint work schemas (联合监管): inspections, campaigns, referrals, and rule feedback."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sanjianguan.web.schemas.common import REGION, RequestBody
from sanjianguan.web.schemas.vocabulary import renamed

Region = Field(pattern=REGION, description="6位行政区划代码 / region code")
OptionalText = Field("", max_length=20_000)
Amount = Field(gt=0, max_digits=17, decimal_places=2, description="金额（元） / amount in yuan")


Department = Literal["health", "insurance", "market_regulator"]
_HEALTH: Department = "health"


class _Body(RequestBody):
    model_config = ConfigDict(extra="forbid")


class _Row(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- 双随机一公开 ---------------------------------------------------------------------------


class PlanCreate(_Body):
    """抽取检查计划: year, region, optional seed (given: reproducible), the draw's parameters."""

    year: int = Field(ge=2000, le=2100)
    region_code: str = Region
    seed: str | None = Field(None, min_length=1, max_length=40)
    extra_visits: int = Field(0, ge=0, le=10_000, description="加权加抽次数 / extra weighted visits")
    problem_weight: int = Field(2, ge=0, le=100)
    problem_cap: int = Field(5, ge=0, le=100)
    inspectors_per_visit: int = Field(2, ge=1, le=10)
    items: list[str] = Field(
        default_factory=lambda: ["医疗服务行为", "医保基金使用", "药品耗材管理"], min_length=1, max_length=20
    )
    departments: list[Department] = Field(default_factory=lambda: [_HEALTH], min_length=1, max_length=3)


class VisitPublic(_Row):
    id: int
    plan_id: int
    institution_id: str
    region_code: str | None
    round: str
    month: int
    items: list[str]
    departments: list[str]
    status: str
    summary: str | None
    findings: list[dict[str, Any]] | None
    recorded_at: datetime | None
    inspectors: list[int] = Field(default_factory=list)


class PlanPublic(_Row):
    id: int
    year: int
    region_code: str
    seed: str
    extra_visits: int
    problem_weight: int
    problem_cap: int
    inspectors_per_visit: int
    items: list[str]
    departments: list[str]
    weights: dict[str, Any]
    created_at: datetime
    audit_seq: int
    visits: list[VisitPublic] = Field(default_factory=list)
    reproducible: bool | None = None


class FindingCreate(_Body):
    """One item's finding: its outcome and an optional remark."""

    item: str = Field(min_length=1, max_length=100)
    outcome: Literal["compliant", "problem", "not_checked"] = renamed(
        "outcome", "result", "检查结果 / finding"
    )
    note: str = OptionalText


class FindingsCreate(_Body):
    """检查结果: a conclusion and one finding per item of the visit."""

    summary: str = Field(min_length=1, max_length=20_000)
    findings: list[FindingCreate] = Field(min_length=1, max_length=20)


class InspectorConflictCreate(_Body):
    institution_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=20_000)


class InspectorConflictPublic(_Row):
    id: int
    user_id: int
    institution_id: str
    reason: str
    declared_at: datetime


# --- 专项治理 --------------------------------------------------------------------------------

PhaseName = Literal["deployment", "self_check", "supervision", "consolidation"]


class PhaseIn(_Body):
    phase: PhaseName
    starts_on: date
    ends_on: date


class CampaignCreate(_Body):
    """部署专项治理: the four phases, target rules, participating institutions (default: all in region)."""

    title: str = Field(min_length=1, max_length=200)
    region_code: str = Region
    rule_ids: list[str] = Field(min_length=1, max_length=200)
    phases: list[PhaseIn] = Field(min_length=4, max_length=4)
    institution_ids: list[str] | None = Field(None, max_length=10_000)
    description: str = OptionalText


class PhasePublic(_Row):
    phase: str
    starts_on: date
    ends_on: date


class CampaignPublic(_Row):
    id: int
    name: str
    region_code: str
    description: str
    rule_ids: list[str]
    status: str
    created_at: datetime
    closed_at: datetime | None
    phases: list[PhasePublic] = Field(default_factory=list)
    institutions: list[str] = Field(default_factory=list)
    current_phase: str | None = None


class RecordCreate(_Body):
    """台账登记: kind (confirmed 查实 / fine 罚款 / recovered 追回 / refund 主动退回), amount, source."""

    institution_id: str = Field(min_length=1, max_length=64)
    kind: Literal["confirmed", "fine", "recovered", "refund"]
    amount: Decimal = Amount
    source: Literal["self_reported", "found"]
    phase: PhaseName | None = None
    clue_id: str | None = Field(None, max_length=160)
    note: str = OptionalText


class RecordPublic(_Row):
    id: int
    campaign_id: int
    institution_id: str
    kind: str
    amount: Decimal
    source: str
    phase: str | None
    clue_id: str | None
    note: str
    recorded_at: datetime
    voided_at: datetime | None
    void_reason: str | None


class VoidCreate(_Body):
    reason: str = Field(min_length=1, max_length=20_000)


class CloseCreate(_Body):
    reason: str = OptionalText


class TallyPublic(BaseModel):
    """治理成效统计 (amounts in yuan as exact decimals)."""

    by_institution: dict[str, dict[str, Decimal]]
    total: dict[str, Decimal]
    by_source: dict[str, dict[str, Decimal]]
    records: int


class FormRule(BaseModel):
    rule_id: str
    clues: int
    amount_involved: Decimal
    decided_unreasonable: int


class SelfCheckFormPublic(BaseModel):
    """机构自查表, pre-filled from the institution's clues of the campaign's rules and months."""

    campaign_id: int
    institution_id: str
    period_from: str
    period_to: str
    rules: list[FormRule]


# --- 移送 ------------------------------------------------------------------------------------


class ReferralCreate(_Body):
    department: Literal["insurance", "market_regulator"]
    reason: str = Field(min_length=1, max_length=20_000)


class ReferralFeedbackCreate(_Body):
    """查办情况反馈."""

    outcome: Literal["penalised", "no_violation", "transferred", "other"]
    explanation: str = renamed(
        "explanation", "text", "查办情况 / what was done", min_length=1, max_length=20_000
    )
    amount_recovered: Decimal | None = Field(None, ge=0, max_digits=17, decimal_places=2)
    fine: Decimal | None = Field(None, ge=0, max_digits=17, decimal_places=2)


class ReferralPublic(_Row):
    id: int
    clue_id: str
    department: str
    region_code: str | None
    reason: str
    status: str
    sent_at: datetime
    received_at: datetime | None
    outcome: str | None
    feedback: str | None
    amount_recovered: Decimal | None
    fine: Decimal | None
    answered_at: datetime | None


# --- 规则反馈 --------------------------------------------------------------------------------


class RuleFeedbackPublic(_Row):
    """One group: clues, decided (unreasonable / reasonable), precision, self-check agreement, amounts."""

    rule_id: str | None
    region_code: str | None
    period: str | None
    clues: int
    decided: int
    unreasonable: int
    reasonable: int
    precision: Decimal | None
    self_checked: int
    self_check_agreed: int
    agreement: Decimal | None
    amount_confirmed: Decimal
    by_basis: dict[str, int]
