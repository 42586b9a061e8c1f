"""Rule declarations as typed data (规则定义): id, names, category, grade, stage, params, query."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sanjianguan.queries.params import PARAM_NAME, Param, ParamValue, check_names
from sanjianguan.queries.period import PERIOD_PARAMS

RULE_ID = re.compile(r"^[A-Z][A-Z0-9_-]{1,31}$")
# Placeholders every query may use without declaring them (the runner binds them).
BUILTIN_PARAMS = PERIOD_PARAMS

# Columns every rule query returns, in this order, before its `ev_` evidence columns.
STANDARD_COLUMNS = (
    "hit_key",
    "institution_id",
    "department",
    "doctor_id",
    "patient_id",
    "encounter_id",
    "related_encounter_id",
    "event_date",
    "amount_involved",
)
EVIDENCE_PREFIX = "ev_"


class Category(StrEnum):
    """The six categories of article 17 (第十七条)."""

    CHARGES = "charges"  # 不合理收费
    DRUGS = "drugs"  # 不合理药品使用
    MATERIALS = "materials"  # 不合理耗材使用
    EXAMS = "exams"  # 不合理检验检查
    TREATMENT = "treatment"  # 不合理诊疗行为
    RECORDS = "records"  # 不规范医疗文书

    @property
    def label_zh(self) -> str:
        return _CATEGORY_ZH[self]


_CATEGORY_ZH = {
    Category.CHARGES: "不合理收费",
    Category.DRUGS: "不合理药品使用",
    Category.MATERIALS: "不合理耗材使用",
    Category.EXAMS: "不合理检验检查",
    Category.TREATMENT: "不合理诊疗行为",
    Category.RECORDS: "不规范医疗文书",
}


class Grade(StrEnum):
    """Grade of a hit, as in the national rule base."""

    VIOLATION = "violation"  # 明确违规
    SUSPICIOUS = "suspicious"  # 可疑
    HINT = "hint"  # 提示

    @property
    def label_zh(self) -> str:
        return {"violation": "明确违规", "suspicious": "可疑", "hint": "提示"}[self.value]


class Stage(StrEnum):
    """When a rule can run: before settlement on one encounter (事前/事中), or only after (事后)."""

    BEFORE = "before"
    AFTER = "after"

    @property
    def label_zh(self) -> str:
        return {"before": "事前/事中", "after": "事后"}[self.value]


class Rule(BaseModel):
    """One level-1 rule (一级指标规则): metadata plus the query returning offending rows."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

    id: str
    name_zh: str
    name_en: str
    category: Category
    grade: Grade
    stage: Stage
    policy: str
    evidence: tuple[str, ...]
    query: str
    params: dict[str, Param] = Field(default_factory=dict)
    # Where the declaration came from (a file path or `builtin:<file>`); not part of the format.
    source: str = ""
    builtin: bool = False

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError(f"rule id {value!r} must match {RULE_ID.pattern}")
        return value

    @field_validator("params")
    @classmethod
    def _check_param_names(cls, value: dict[str, Param]) -> dict[str, Param]:
        check_names(value, BUILTIN_PARAMS)
        return value

    @field_validator("evidence")
    @classmethod
    def _check_evidence(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value) or not all(PARAM_NAME.match(v) for v in value):
            raise ValueError("evidence must be distinct lower-case names (columns ev_<name>)")
        return value

    def defaults(self) -> dict[str, ParamValue]:
        return {name: p.default for name, p in self.params.items()}


class RuleSetting(BaseModel):
    """A region's configuration of one rule (`<home>/rules.toml`): on/off and parameter values."""

    model_config = ConfigDict(frozen=True)

    enabled: bool = True
    params: dict[str, ParamValue] = Field(default_factory=dict)


class ConfiguredRule(BaseModel):
    """A rule together with the parameter values a run uses."""

    model_config = ConfigDict(frozen=True)

    rule: Rule
    enabled: bool
    values: dict[str, ParamValue]
