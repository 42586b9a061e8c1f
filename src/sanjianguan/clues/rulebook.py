"""规则目录 of the clues: what a clue's `rule_id` names (a rule or an indicator) and how it is graded.

A clue keeps only the id of the rule (hits) or indicator (failing indicators) that raised
it; the name, category (类别) and grade (级别) come from the rule catalogue: the built-in
rules and the region's own (`<home>/rules/*.toml`), and the built-in indicators.
Indicators have no category or grade, so a category/grade filter never matches them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sanjianguan.errors import RuleError
from sanjianguan.indicators.registry import builtin_indicators
from sanjianguan.rules.model import Category, Grade, Rule
from sanjianguan.rules.registry import all_rules, builtin_rules


@dataclass(frozen=True)
class RuleInfo:
    """A rule or indicator as a clue shows it."""

    id: str
    name_zh: str
    name_en: str
    category: Category | None = None
    grade: Grade | None = None


@dataclass(frozen=True)
class RuleBook:
    """Rule and indicator ids → their names, category and grade."""

    entries: dict[str, RuleInfo]

    @classmethod
    def for_home(cls, home: Path | None) -> RuleBook:
        """The catalogue of a data folder (a broken regional rule file: the built-in rules only)."""
        try:
            rules: list[Rule] = all_rules(home)
        except RuleError:
            rules = builtin_rules()
        entries = {i.id: RuleInfo(i.id, i.name_zh, i.name_en) for i in builtin_indicators()}
        entries.update({r.id: RuleInfo(r.id, r.name_zh, r.name_en, r.category, r.grade) for r in rules})
        return cls(entries)

    def get(self, rule_id: str) -> RuleInfo | None:
        return self.entries.get(rule_id)

    def ids(self, *, category: Category | None = None, grade: Grade | None = None) -> list[str]:
        """The rule ids of a category and/or grade (sorted)."""
        return sorted(
            info.id
            for info in self.entries.values()
            if (category is None or info.category is category) and (grade is None or info.grade is grade)
        )

    def names(self, rule_ids: Iterable[str]) -> dict[str, str]:
        """Chinese names of the given ids that are known."""
        return {rid: info.name_zh for rid in rule_ids if (info := self.get(rid)) is not None}
