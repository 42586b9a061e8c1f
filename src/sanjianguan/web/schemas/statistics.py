"""Statistics schemas: the dashboard's clue counts (线索统计), as the API returns them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CountPublic(BaseModel):
    """One row: a status or category value, its Chinese name and how many clues have it."""

    key: str = Field(description="状态或类别的值 / status or category value")
    label_zh: str = Field(description="中文名称 / Chinese name")
    count: int


class ClueCountsPublic(BaseModel):
    """A month's clues the caller may see, by status (loop order) and by category (article 17)."""

    period: str | None = Field(description="结算月；无线索时为空 / the month (null: no clue at all)")
    total: int
    by_status: list[CountPublic]
    by_category: list[CountPublic] = Field(
        description="六类不合理问题，外加 indicator（指标线索）/ the six categories, plus `indicator`"
    )
