"""Indicator declarations as typed data (二级/三级指标定义).

One TOML file per indicator declares its stable id, names, group, direction, unit,
the levels it is computed at, the tables it needs, its policy reference and one
DuckDB query. The query returns *contribution rows*; the runner adds them up per
institution, department and doctor (see `compute.py`), so one query serves every level.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sanjianguan.errors import SjgError
from sanjianguan.indicators.choices import Level as Level
from sanjianguan.queries.params import Param, ParamValue, check_names

INDICATOR_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")

# Placeholders every indicator query may use without declaring them (bound by the runner).
BUILTIN_PARAMS = (
    "period",  # 'YYYY-MM' for a month, 'YYYY' for a year
    "period_start",  # first day (DATE)
    "period_end",  # day after the last day (DATE, exclusive)
    "calendar_days",  # days of the period (2025-03: 31)
    "working_days",  # working days of the official calendar (2025-03: 21)
)

# Output columns of a query, by measure (in this order).
SUM_COLUMNS = ("institution_id", "department", "doctor_id", "numerator", "denominator", "cases")
DISTINCT_COLUMNS = ("institution_id", "department", "doctor_id", "distinct_key")


class IndicatorError(SjgError):
    """An indicator declaration, target file or indicator run is invalid."""


class Group(StrEnum):
    """Which article the indicator belongs to (指标分组)."""

    A = "2A"  # 二级指标 A组 (第二十条)
    B = "2B"  # 二级指标 B组 (第二十一条)
    C = "2C"  # 二级指标 C组 (第二十二条)
    LEVEL3 = "3"  # 三级指标 (第二十三条)
    OE = "OE"  # 实际/期望比 (O/E)

    @property
    def label_zh(self) -> str:
        return _GROUP_ZH[self]


_GROUP_ZH = {
    Group.A: "二级指标A组(第二十条)",
    Group.B: "二级指标B组(第二十一条)",
    Group.C: "二级指标C组(第二十二条)",
    Group.LEVEL3: "三级指标(第二十三条)",
    Group.OE: "O/E 实际/期望比",
}


class Direction(StrEnum):
    """Which way is better: a `lower` indicator fails above its target."""

    LOWER = "lower"
    HIGHER = "higher"

    @property
    def label_zh(self) -> str:
        return "越低越好" if self is Direction.LOWER else "越高越好"


class Unit(StrEnum):
    """How the value reads."""

    RATE = "rate"  # a share between 0 and 1
    PER_100 = "per_100"  # 100 × numerator / denominator (DDDs per 100 patient-days)
    RATIO = "ratio"  # a plain quotient (医护比, DRG indices)
    COUNT = "count"  # numerator only, no denominator
    INDEX = "index"  # an index around 1 (O/E, CMI)


class Measure(StrEnum):
    """How contribution rows add up: sums of numerator/denominator, or a distinct count."""

    SUM = "sum"
    DISTINCT = "distinct"


class Indicator(BaseModel):
    """One level-2/3 or O/E indicator (监管指标)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name_zh: str
    name_en: str
    group: Group
    direction: Direction
    unit: Unit
    levels: tuple[Level, ...]
    needs: tuple[str, ...]
    policy: str
    numerator: str  # the numerator in words (documentation)
    denominator: str = ""  # the denominator in words; empty for counts
    query: str
    measure: Measure = Measure.SUM
    params: dict[str, Param] = Field(default_factory=dict)
    source: str = ""

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not INDICATOR_ID.match(value):
            raise ValueError(f"indicator id {value!r} must match {INDICATOR_ID.pattern}")
        return value

    @field_validator("levels")
    @classmethod
    def _check_levels(cls, value: tuple[Level, ...]) -> tuple[Level, ...]:
        if Level.INSTITUTION not in value or len(set(value)) != len(value):
            raise ValueError("levels must be distinct and include institution")
        return value

    @field_validator("params")
    @classmethod
    def _check_param_names(cls, value: dict[str, Param]) -> dict[str, Param]:
        check_names(value, BUILTIN_PARAMS)
        return value

    @property
    def scale(self) -> Decimal:
        """Factor applied to numerator / denominator (100 for per-100 indicators)."""
        return Decimal(100) if self.unit is Unit.PER_100 else Decimal(1)

    @property
    def columns(self) -> tuple[str, ...]:
        """The output columns its query must return."""
        return DISTINCT_COLUMNS if self.measure is Measure.DISTINCT else SUM_COLUMNS

    def defaults(self) -> dict[str, ParamValue]:
        return {name: p.default for name, p in self.params.items()}
