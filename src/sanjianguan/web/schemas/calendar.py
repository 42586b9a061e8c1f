"""法定节假日日历的状态 (the official calendar's status, for the office's warning)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class CalendarStatusPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    today: date
    years: list[int] = Field(description="已载入（正式）的年度 / official (loaded) years")
    current_year_loaded: bool
    next_year_loaded: bool
    warning: str | None = Field(
        description="本年未载入，或12月起次年未载入时的提醒 / set when this year, or from December "
        "next year, is not loaded: deadlines in it are provisional"
    )
