"""Clue workflow schemas (线索办理): request bodies of each action and their answers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sanjianguan.cases.states import Decision, ReviewResult
from sanjianguan.web.schemas.clues import ClueExpertView
from sanjianguan.web.schemas.common import MAX_INT, REGION, RequestBody
from sanjianguan.web.schemas.vocabulary import renamed

Text = Field(min_length=1, max_length=20_000)
OptionalText = Field("", max_length=20_000)


class _Body(RequestBody):
    model_config = ConfigDict(extra="forbid")


class PushCreate(_Body):
    """推送: the region (6-digit code) whose generated clues of the period are pushed."""

    region_code: str = Field(pattern=REGION)


class PushPublic(BaseModel):
    batch_id: int
    period: str
    region_code: str
    clue_ids: list[str]


class SampleCreate(_Body):
    """抽查: rate (default 0.2), an optional seed (given: reproducible), disputed clues to add."""

    region_code: str = Field(pattern=REGION)
    rate: Decimal = Field(Decimal("0.2"), gt=0, le=1)
    seed: str | None = Field(None, min_length=1, max_length=40)
    include_disputed: list[str] = Field(default_factory=list, max_length=10_000)


class SamplePublic(BaseModel):
    draw_id: int
    seed: str
    population: list[str]
    drawn: list[str]
    selected: list[str]


class ReasonCreate(_Body):
    """An optional free-text reason."""

    reason: str = OptionalText


class TextCreate(_Body):
    """A required text (notice, request, ruling ...)."""

    text: str = Text


class AdjudicationCreate(_Body):
    """受理裁定并抽选专家: reason, specialty, panel of 3 or 5, optional seed."""

    reason: str = Text
    specialty: str = Field(min_length=1, max_length=64)
    panel_size: int = Field(3, le=MAX_INT)
    seed: str | None = Field(None, min_length=1, max_length=40)


class VoteCreate(_Body):
    """专家表决: outcome (reasonable | unreasonable) and its explanation."""

    outcome: Decision = renamed("outcome", "vote", "表决 / the expert's vote")
    explanation: str = renamed(
        "explanation", "opinion", "表决意见 / opinion", min_length=1, max_length=20_000
    )


class AppealCreate(_Body):
    """申诉 (deprecated JSON form, without files: use multipart)."""

    reason: str = Text


class ReviewCreate(_Body):
    """申诉复核: outcome (upheld | overturned) and its explanation."""

    outcome: ReviewResult = renamed("outcome", "result", "复核结果 / review outcome")
    explanation: str = renamed(
        "explanation", "text", "复核意见 / review opinion", min_length=1, max_length=20_000
    )


class ActionPublic(BaseModel):
    """The clue after an action: its status and what the action produced."""

    clue_id: str
    status: str
    detail: dict[str, Any] = Field(default_factory=dict)


class OverduePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    clue_id: str
    institution_id: str
    region_code: str | None
    status: str
    step: str
    due_on: date
    days_overdue: int
    reminded_on: date | None
    hard: bool
    provisional: bool = Field(description="暂定期限：所在年度法定节假日日历尚未载入 / provisional due date")


class HistoryItem(BaseModel):
    seq: int
    occurred_at: datetime
    actor: str
    event: str
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    payload: dict[str, Any]


class CaseFile(BaseModel):
    """线索案卷: each step's content as the caller may see it, deadlines and next moves."""

    clue_id: str
    status: str
    status_zh: str
    self_check: dict[str, Any] | None
    files: list[dict[str, Any]]
    sampling: dict[str, Any] | None
    verification: dict[str, Any] | None
    adjudication: dict[str, Any] | None
    decision: dict[str, Any] | None
    appeal: dict[str, Any] | None
    notices: list[dict[str, Any]]
    rectifications: list[dict[str, Any]]
    deadlines: list[dict[str, Any]]
    allowed_actions: list[dict[str, str]]


class PackagePublic(BaseModel):
    """专家案卷包 (anonymised)."""

    clue: ClueExpertView
    case: CaseFile


class ExpertProfileCreate(_Body):
    specialties: list[str] = Field(min_length=1, max_length=20)
    institution_id: str | None = Field(None, max_length=64)


class ExpertConflictCreate(_Body):
    institution_id: str | None = Field(None, max_length=64)
    clue_id: str | None = Field(None, max_length=160)
    reason: str = Text
