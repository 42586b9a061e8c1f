"""Statistics schemas: the dashboard's clue counts (线索统计) and figures, as the API returns them.

The first four fields are the original answer; the others were added for the full
dashboard (backwards compatible: no field was renamed or removed).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field


class CountPublic(BaseModel):
    """One row: a status or category value, its Chinese name and how many clues have it."""

    key: str = Field(description="状态或类别的值 / status or category value")
    label_zh: str = Field(description="中文名称 / Chinese name")
    count: int


class AmountPublic(BaseModel):
    """涉及金额 of one category (yuan, exact decimal)."""

    key: str
    label_zh: str
    amount: Decimal


class SelfCheckRatePublic(BaseModel):
    """按期自查率: answered by the first deadline / due (answered, or past the first deadline)."""

    due: int
    on_time: int
    rate: float | None = Field(description="0–1，4 位小数；无应自查时为空 / null: nothing due")


class SamplingPublic(BaseModel):
    """抽查核实进度."""

    sampled: int
    verified: int
    pending: int


class TrendPointPublic(BaseModel):
    """One month of the 12 months' trend."""

    period: str
    count: int
    amount: Decimal


class ClueCountsPublic(BaseModel):
    """A month's clues the caller may see, by status (loop order) and by category (article 17), and
    the dashboard's other figures for the month."""

    period: str | None = Field(description="结算月；无线索时为空 / the month (null: no clue at all)")
    total: int
    by_status: list[CountPublic]
    by_category: list[CountPublic] = Field(
        description="六类不合理问题，外加 indicator（指标线索）/ the six categories, plus `indicator`"
    )
    by_rule: list[CountPublic] = Field(
        default_factory=list, description="线索最多的 10 条规则（并列按编号）/ top 10 rules, ties by id"
    )
    by_institution: list[CountPublic] | None = Field(
        None, description="线索最多的 10 家机构；专家为空 / top 10 institutions (experts: null)"
    )
    amounts: list[AmountPublic] = Field(
        default_factory=list, description="各类别涉及金额 / amounts per category"
    )
    amount_total: Decimal = Decimal(0)
    self_check: SelfCheckRatePublic | None = None
    sampling: SamplingPublic | None = None
    overdue: int | None = Field(
        None, description="逾期事项数；无权查看逾期清单时为空 / null: may not read it"
    )
    failing_indicators: int | None = Field(
        None, description="不达标指标结果数；无分析库或专家为空 / null: no analytic store, or an expert"
    )
    reporting: list[CountPublic] | None = Field(
        None, description="各上报状态的机构数 / institutions per reporting status (null as above)"
    )
    trend: list[TrendPointPublic] = Field(default_factory=list, description="近 12 个月 / the last 12 months")
