"""The point tables as configuration (记分标准): built-in `points.toml`, regional overrides.

A region's `<home>/points.toml` is merged over the built-in file table by table (a list
replaces the built-in list). Every problem is a ConfigError naming the file and field.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sanjianguan.errors import ConfigError

OVERRIDE_FILE = "points.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Deadlines(_Strict):
    """期限 (seed 001): calendar days except the appeal decision (working days)."""

    notice_days: int = Field(ge=0)
    report_days: int = Field(ge=0)
    register_days: int = Field(ge=0)
    appeal_days: int = Field(ge=0)
    appeal_decision_working_days: int = Field(ge=0)
    monthly_return_day: int = Field(ge=1, le=28)
    disclosure_day: int = Field(ge=1, le=28)


class Item(_Strict):
    """记分项目: one behaviour of the table and its level."""

    level: int = Field(ge=1)
    text: str = Field(min_length=1)


class StaffModel(_Strict):
    """医务人员记分 ("driving-licence" model of the payment qualification)."""

    responsibilities: tuple[str, ...]
    suspend_at: int = Field(ge=1)
    suspend_months: tuple[int, int]
    terminate_at: int = Field(ge=1)
    bar_years: int = Field(ge=0)
    bar_years_at_once: int = Field(ge=0)
    emergency_exempt: bool
    levels: dict[int, tuple[int, int]]
    items: dict[str, Item]

    @model_validator(mode="after")
    def _consistent(self) -> StaffModel:
        if self.suspend_at > self.terminate_at:
            raise ValueError("suspend_at must not exceed terminate_at")
        for level, (low, high) in self.levels.items():
            if high - low + 1 != len(self.responsibilities):
                raise ValueError(f"levels.{level}: the range must hold one value per responsibility")
        for code, item in self.items.items():
            if item.level not in self.levels:
                raise ValueError(f"items.{code}: unknown level {item.level}")
        return self


class Band(_Strict):
    """机构记分分档: from `min` points (inclusive) up to the next band's min."""

    min: int = Field(ge=0)
    label: str
    sanction: str


class InstitutionModel(_Strict):
    """医疗机构记分."""

    points: tuple[int, ...]
    bands: tuple[Band, ...]
    items: dict[str, Item]

    @model_validator(mode="after")
    def _consistent(self) -> InstitutionModel:
        mins = [b.min for b in self.bands]
        if not mins or mins[0] != 0 or mins != sorted(set(mins)):
            raise ValueError("bands: the first starts at 0 and each starts above the previous one")
        for code, item in self.items.items():
            if item.level > len(self.points):
                raise ValueError(
                    f"items.{code}: level {item.level} has no points (only {len(self.points)} levels)"
                )
        return self


class PointsConfig(_Strict):
    deadlines: Deadlines
    departments: tuple[str, ...]
    staff: StaffModel
    institution: InstitutionModel


def builtin_text() -> str:
    return resources.files("sanjianguan.points").joinpath("points.toml").read_text(encoding="utf-8")


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = (
            _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: TOML 无法解析 / cannot parse TOML: {exc}") from exc


def load_points_config(home: Path | None = None) -> PointsConfig:
    """The built-in point tables with the region's `<home>/points.toml` merged over them."""
    data = _parse(builtin_text(), "points.toml")
    where = "points.toml"
    path = home / OVERRIDE_FILE if home else None
    if path is not None and path.exists():
        where = str(path)
        data = _merge(data, _parse(path.read_text(encoding="utf-8"), where))
    try:
        return PointsConfig.model_validate(data)
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '-'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{where}: {detail}") from exc
