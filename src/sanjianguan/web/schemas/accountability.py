"""Accountability ladder schemas (责任追究): runs, proposals, decisions, recorded facts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sanjianguan.accountability.service import Mitigation
from sanjianguan.web.schemas.common import MONTH, REGION, RequestBody


class _Body(RequestBody):
    model_config = ConfigDict(extra="forbid")


class RunCreate(_Body):
    """运行阶梯: a calendar year of a region, optionally counted up to a month (cycle)."""

    year: int = Field(ge=2000, le=2100)
    region_code: str = Field(pattern=REGION)
    until: str | None = Field(None, pattern=MONTH)


class RunPublic(BaseModel):
    year: int
    region_code: str
    until: str | None
    created: list[int]
    updated: list[int]
    withdrawn: list[int]
    unchanged: int


class ProposalPublic(BaseModel):
    """追责建议, with the article, the counted times and their evidence (clues, indicators, events)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    row_id: str
    article: str
    subject_kind: str
    subject_id: str
    institution_id: str
    region_code: str | None
    department: str | None
    doctor_id: str | None
    year: int
    window: str
    period: str
    threshold: int
    times: int
    action: str
    evidence: list[dict[str, Any]]
    self_reported: bool
    status: str
    mitigation: str
    final_action: str | None
    decision_reason: str | None
    proposed_at: datetime
    decided_at: datetime | None


class ConfirmCreate(_Body):
    """确认: mitigation (art. 12) none | lighter | exempted | aggravated; a reason unless none."""

    mitigation: Mitigation = Mitigation.NONE
    reason: str = Field("", max_length=20_000)


class RejectCreate(_Body):
    reason: str = Field(min_length=1, max_length=20_000)


class FactCreate(_Body):
    """登记: kind interview | admin_penalty | not_carried_out."""

    kind: str = Field(pattern=r"^(interview|admin_penalty|not_carried_out)$")
    institution_id: str = Field(min_length=1, max_length=64)
    occurred_on: date
    description: str = Field(min_length=1, max_length=20_000)
    reference: str = Field("", max_length=200)


class FactPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    institution_id: str
    region_code: str | None
    occurred_on: date
    description: str
    reference: str
    recorded_at: datetime


class LadderRowPublic(BaseModel):
    id: str
    subject: str
    source: str
    count: int
    window: str
    article: str
    condition: str
    action: str
    aggravated_action: str | None
    interview: bool
    enabled: bool
