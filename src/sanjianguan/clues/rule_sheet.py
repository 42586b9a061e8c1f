"""规则说明 of a clue: what the rule or indicator behind it says, its policy basis and parameters.

A clue keeps only the id of its rule (hits) or indicator (failing indicators). The sheet
shown with it comes from the catalogue of the data folder (`RuleCatalogue`): the built-in
and regional rules with the region's parameter overrides (`<home>/rules.toml`) applied,
and the built-in indicators. The one reading of the catalogue for the pages: the clue
detail, the expert's package (these texts are the catalogue's and name no institution,
doctor or patient) and the 规则 pages. A rule's definition is the comment its declaration opens
with, up to its `# en:` line (the catalogue's own words: a built-in rule opens with a
Chinese definition, e.g. "高频住院：同一患者在 `window_days` 天内…", then the English original
on `# en:` lines, `definition_en`); an indicator's is its numerator and denominator.

Parameters are shown with their default, the region's current value and, for a hit, the
value the run that produced it used (`analysis_runs.params`, read by `run_params`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from sanjianguan.errors import RuleError
from sanjianguan.indicators.model import Indicator
from sanjianguan.indicators.registry import builtin_indicators
from sanjianguan.queries.declared import BUILTIN_PREFIX
from sanjianguan.queries.params import ParamValue
from sanjianguan.rules.model import ConfiguredRule
from sanjianguan.rules.registry import CATALOGUE_PACKAGE, builtin_rules, configure, load_catalogue

RUN_PARAMS_SQL = """
SELECT r.params FROM hits AS h JOIN analysis_runs AS r ON r.run_id = h.run_id
WHERE h.hit_id = ? LIMIT 1
"""


@dataclass(frozen=True)
class ParamRow:
    """One parameter: its meaning, default, the region's value and the value the hit's run used."""

    name: str
    description: str
    default: str
    configured: str
    used: str | None

    @property
    def regional(self) -> bool:
        """Whether the region overrides the default (`rules.toml`)."""
        return self.configured != self.default


@dataclass(frozen=True)
class RuleSheet:
    """What the page shows of a clue's rule or indicator."""

    id: str
    kind: str  # rule | indicator
    name_zh: str
    name_en: str
    definition: str
    policy: str
    facts: list[tuple[str, str]]  # (label, value): category, grade, stage / group, direction, unit
    params: list[ParamRow]
    enabled: bool = True


@dataclass(frozen=True)
class RuleCatalogue:
    """The configured rules and the indicators of one data folder (built once per app)."""

    rules: Mapping[str, ConfiguredRule]  # in the catalogue's order
    indicators: Mapping[str, Indicator]
    error: RuleError | None = None  # why the regional files were not read (then: built-in, defaults)

    @classmethod
    def for_home(cls, home: Path | None) -> RuleCatalogue:
        """The data folder's catalogue (a broken regional file: the built-in rules, defaults)."""
        error: RuleError | None = None
        try:
            configured = load_catalogue(home)
        except RuleError as exc:
            configured, error = configure(builtin_rules(), {}, "rules.toml"), exc
        return cls(
            {c.rule.id: c for c in configured},
            {i.id: i for i in builtin_indicators()},
            error,
        )

    def sheet(self, rule_id: str, used: Mapping[str, Any] | None = None) -> RuleSheet | None:
        """The sheet of `rule_id` (None when the catalogue does not know it); `used`: run values."""
        if rule_id in self.rules:
            return _rule_sheet(self.rules[rule_id], used)
        if rule_id in self.indicators:
            return _indicator_sheet(self.indicators[rule_id])
        return None


def _rule_sheet(configured: ConfiguredRule, used: Mapping[str, Any] | None) -> RuleSheet:
    rule = configured.rule
    params = [
        ParamRow(
            name=name,
            description=param.description,
            default=show(param.default),
            configured=show(configured.values.get(name, param.default)),
            used=None if used is None or name not in used else show(used[name]),
        )
        for name, param in rule.params.items()
    ]
    return RuleSheet(
        id=rule.id,
        kind="rule",
        name_zh=rule.name_zh,
        name_en=rule.name_en,
        definition=definition(rule.source),
        policy=rule.policy,
        facts=[
            ("类别", rule.category.label_zh),
            ("级别", rule.grade.label_zh),
            ("阶段", rule.stage.label_zh),
            ("来源", "内置规则" if rule.builtin else "地方自定义规则"),
        ],
        params=params,
        enabled=configured.enabled,
    )


def _indicator_sheet(indicator: Indicator) -> RuleSheet:
    text = f"分子：{indicator.numerator}"
    if indicator.denominator:
        text += f"；分母：{indicator.denominator}"
    params = [
        ParamRow(name, p.description, show(p.default), show(p.default), None)
        for name, p in indicator.params.items()
    ]
    return RuleSheet(
        id=indicator.id,
        kind="indicator",
        name_zh=indicator.name_zh,
        name_en=indicator.name_en,
        definition=text,
        policy=indicator.policy,
        facts=[("分组", indicator.group.label_zh), ("方向", indicator.direction.label_zh)],
        params=params,
    )


def show(value: ParamValue | Any) -> str:
    """A parameter value as text (lists joined, booleans in words)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)


EN_MARK = "en:"  # the opening comment's English original starts with `# en:`


@cache
def definition(source: str) -> str:
    """The rule's definition for the pages: its opening comment up to `# en:`, as one paragraph.

    A built-in rule opens with a Chinese definition followed by its English original on
    `# en:` lines (the pages are Chinese); a regional rule's comment has no such line and
    is shown whole. '' when the declaration opens with no comment.
    """
    zh, _ = _opening_comment(source)
    return " ".join(zh)


@cache
def definition_en(source: str) -> str:
    """The English original of the definition (the `# en:` lines; '' when the rule has none)."""
    _, en = _opening_comment(source)
    return " ".join(en)


def _opening_comment(source: str) -> tuple[list[str], list[str]]:
    """The non-empty lines of the declaration's opening comment: before `# en:`, and from it on."""
    zh: list[str] = []
    en: list[str] = []
    for line in _declaration_text(source).splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        text = stripped.lstrip("#").strip()
        if not en and text.startswith(EN_MARK):
            en.append(text.removeprefix(EN_MARK).strip())  # the mark: English from here on
        elif en:
            en.append(text)
        else:
            zh.append(text)
    return [t for t in zh if t], [t for t in en if t]


def _declaration_text(source: str) -> str:
    try:
        if source.startswith(BUILTIN_PREFIX):
            name = source.removeprefix(BUILTIN_PREFIX)
            return resources.files(CATALOGUE_PACKAGE).joinpath(name).read_text(encoding="utf-8")
        return Path(source).read_text(encoding="utf-8") if source else ""
    except OSError:
        return ""


def run_params(con: duckdb.DuckDBPyConnection, hit_id: str, rule_id: str) -> dict[str, Any] | None:
    """The parameter values the run that last produced hit `hit_id` used for its rule (None: unknown)."""
    try:
        row = con.execute(RUN_PARAMS_SQL, [hit_id]).fetchone()
    except duckdb.CatalogException:  # no rules were ever run in this store
        return None
    if not row or not row[0]:
        return None
    try:
        values = json.loads(row[0]).get(rule_id)
    except (json.JSONDecodeError, AttributeError):
        return None
    return values if isinstance(values, dict) else None
