"""规则说明: what a clue's rule or indicator says, as a reviewer reads it next to the evidence.

The rule's Chinese name, category (类别) and grade (级别), its policy basis (政策依据) and
its parameters (参数) with the values the region's runs use (`<home>/rules.toml` applied
over the defaults, as `sjg analyze` does), or, for an indicator clue, the indicator's
policy, numerator and denominator. Read once per data folder (the web app keeps it);
these texts are the catalogue's and name no institution, doctor or patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sanjianguan.errors import RuleError
from sanjianguan.indicators.model import Indicator
from sanjianguan.indicators.registry import builtin_indicators
from sanjianguan.queries.params import ParamValue
from sanjianguan.rules.model import ConfiguredRule, Rule
from sanjianguan.rules.registry import builtin_rules, configure, load_catalogue


@dataclass(frozen=True)
class RuleParam:
    """One parameter: the value the region's runs use, its default and its meaning."""

    name: str
    value: ParamValue
    default: ParamValue
    description: str


@dataclass(frozen=True)
class RuleText:
    """A rule or indicator as the reviewer reads it."""

    id: str
    kind: str  # "rule" | "indicator"
    name_zh: str
    category_zh: str | None
    grade_zh: str | None
    policy: str
    params: tuple[RuleParam, ...] = ()
    numerator: str | None = None
    denominator: str | None = None


def _rule_text(configured: ConfiguredRule) -> RuleText:
    rule: Rule = configured.rule
    params = tuple(
        RuleParam(name, configured.values.get(name, p.default), p.default, p.description)
        for name, p in sorted(rule.params.items())
    )
    return RuleText(
        id=rule.id,
        kind="rule",
        name_zh=rule.name_zh,
        category_zh=rule.category.label_zh,
        grade_zh=rule.grade.label_zh,
        policy=rule.policy.strip(),
        params=params,
    )


def _indicator_text(indicator: Indicator) -> RuleText:
    return RuleText(
        id=indicator.id,
        kind="indicator",
        name_zh=indicator.name_zh,
        category_zh=indicator.group.label_zh,
        grade_zh=None,
        policy=indicator.policy.strip(),
        numerator=indicator.numerator or None,
        denominator=indicator.denominator or None,
    )


@dataclass(frozen=True)
class RuleTexts:
    """Rule and indicator ids → what they say."""

    entries: dict[str, RuleText]

    @classmethod
    def for_home(cls, home: Path | None) -> RuleTexts:
        """The catalogue of a data folder; a broken regional file: the built-in rules with defaults."""
        try:
            catalogue = load_catalogue(home)
        except RuleError:
            catalogue = configure(builtin_rules(), {}, "builtin")
        entries = {i.id: _indicator_text(i) for i in builtin_indicators()}
        entries.update({c.rule.id: _rule_text(c) for c in catalogue})
        return cls(entries)

    def get(self, rule_id: str) -> RuleText | None:
        return self.entries.get(rule_id)
