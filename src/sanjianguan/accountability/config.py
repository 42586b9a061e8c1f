"""The ladder as configuration (责任追究阶梯配置): built-in `ladder.toml`, regional overrides.

- Built-in: `sanjianguan/accountability/ladder.toml`, one `[rows.<id>]` table per row.
- Regional (art. 35): `<home>/ladder.toml`, the same format. A row with a known id
  replaces the fields it gives (e.g. `count = 4`, `enabled = false`); a new id adds a
  row and must give every field. Every problem is a ConfigError naming file and row.
"""

from __future__ import annotations

import enum
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sanjianguan.errors import ConfigError

OVERRIDE_FILE = "ladder.toml"


class Subject(enum.StrEnum):
    """追责对象."""

    DOCTOR = "doctor"  # 医务人员
    DEPARTMENT = "department"  # 科室
    INSTITUTION = "institution"  # 医疗机构


class Source(enum.StrEnum):
    """What a row counts."""

    LEVEL1 = "level1"  # 一级指标认定不合理（线索）
    GROUP_A = "group_A"  # 二级指标第二十条
    GROUP_B = "group_B"  # 二级指标第二十一条
    GROUP_C = "group_C"  # 二级指标第二十二条
    LEVEL3 = "level3"  # 三级指标
    REPORTING_DUTY = "reporting_duty"  # 第二十四条上报责任事件
    INTERVIEW = "interview"  # 约谈机构负责人
    ADMIN_PENALTY = "admin_penalty"  # 行政处罚
    NOT_CARRIED_OUT = "not_carried_out"  # 拒不落实责任追究


class Window(enum.StrEnum):
    """计数窗口: one supervision cycle (监管周期) or the calendar year (当年)."""

    CYCLE = "cycle"
    YEAR = "year"


SOURCE_ZH = {
    Source.LEVEL1: "一级指标认定不合理",
    Source.GROUP_A: "第二十条二级指标不达标",
    Source.GROUP_B: "第二十一条二级指标不达标",
    Source.GROUP_C: "第二十二条二级指标不达标",
    Source.LEVEL3: "三级指标年度不达标",
    Source.REPORTING_DUTY: "未接入/未报/迟报/数据质量不达标（第二十四条）",
    Source.INTERVIEW: "机构负责人被约谈",
    Source.ADMIN_PENALTY: "受到行政处罚",
    Source.NOT_CARRIED_OUT: "拒不落实责任追究或落实不到位",
}
SUBJECT_ZH = {Subject.DOCTOR: "医务人员", Subject.DEPARTMENT: "科室", Subject.INSTITUTION: "医疗机构"}
WINDOW_ZH = {Window.CYCLE: "一个监管周期内", Window.YEAR: "当年累计"}


class LadderRow(BaseModel):
    """One row of the ladder: subject, condition (count + window + source), action, article."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    subject: Subject
    source: Source
    count: int = Field(ge=1)
    window: Window
    article: str = Field(min_length=1)
    action: str = Field(min_length=1)
    aggravated_action: str | None = None  # art. 12 从重情节 (art. 19)
    interview: bool = False  # confirming it interviews the head (counted by art. 25)
    aggravated_interview: bool = False
    enabled: bool = True

    @model_validator(mode="after")
    def _subject_fits_source(self) -> LadderRow:
        if self.source is not Source.LEVEL1 and self.subject is not Subject.INSTITUTION:
            raise ValueError(f"source {self.source.value} counts institutions only (subject = institution)")
        return self

    def condition_zh(self) -> str:
        """The condition in words, e.g. "当年累计 ≥ 3 次：一级指标认定不合理"."""
        if self.count == 1 and self.window is Window.CYCLE:
            return f"每出现：{SOURCE_ZH[self.source]}"
        return f"{WINDOW_ZH[self.window]} ≥ {self.count} 次：{SOURCE_ZH[self.source]}"


class Ladder(BaseModel):
    """The configured ladder (enabled rows only in `active`)."""

    model_config = ConfigDict(frozen=True)

    rows: tuple[LadderRow, ...]

    @property
    def active(self) -> tuple[LadderRow, ...]:
        return tuple(r for r in self.rows if r.enabled)

    def row(self, row_id: str) -> LadderRow | None:
        return next((r for r in self.rows if r.id == row_id), None)


def _read(text: str, where: str) -> dict[str, dict[str, Any]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: TOML 无法解析 / cannot parse TOML: {exc}") from exc
    if set(data) - {"rows"}:
        raise ConfigError(
            f"{where}: 只允许 [rows.<id>] 表 / only [rows.<id>] tables: {sorted(set(data) - {'rows'})}"
        )
    rows = data.get("rows", {})
    if not isinstance(rows, dict) or not all(isinstance(v, dict) for v in rows.values()):
        raise ConfigError(f"{where}: [rows.<id>] 必须是表 / every row must be a table")
    return rows


def _explain(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '-'}: {e['msg']}" for e in exc.errors())


def _build(raw: dict[str, dict[str, Any]], where: str) -> list[LadderRow]:
    rows = []
    for row_id, table in raw.items():
        try:
            rows.append(LadderRow.model_validate({**table, "id": row_id}))
        except ValidationError as exc:
            raise ConfigError(f"{where}: [rows.{row_id}] {_explain(exc)}") from exc
    return rows


def builtin_text() -> str:
    return resources.files("sanjianguan.accountability").joinpath("ladder.toml").read_text(encoding="utf-8")


def load_ladder(home: Path | None = None) -> Ladder:
    """The built-in ladder with the region's `<home>/ladder.toml` applied."""
    raw = _read(builtin_text(), "ladder.toml")
    path = home / OVERRIDE_FILE if home else None
    if path is not None and path.exists():
        where = str(path)
        for row_id, table in _read(path.read_text(encoding="utf-8"), where).items():
            if "id" in table:
                raise ConfigError(f"{where}: [rows.{row_id}] id 由表名给出 / the id is the table name")
            raw[row_id] = {**raw.get(row_id, {}), **table}
        return Ladder(rows=tuple(_build(raw, where)))
    return Ladder(rows=tuple(_build(raw, "ladder.toml")))
