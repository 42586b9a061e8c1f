"""规则说明: the rule texts a reviewer reads, with the region's parameter values."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sanjianguan.clues.rule_text import RuleTexts
from sanjianguan.rules.registry import builtin_rules


def _with_params() -> tuple[str, str]:
    rule = next(r for r in builtin_rules() if r.params)
    return rule.id, sorted(rule.params)[0]


def test_builtin_rules_and_indicators_have_their_policy(tmp_path: Path) -> None:
    texts = RuleTexts.for_home(tmp_path)
    rule_id, name = _with_params()
    rule = texts.get(rule_id)
    assert rule is not None
    assert rule.kind == "rule"
    assert rule.policy
    assert rule.category_zh
    param = next(p for p in rule.params if p.name == name)
    assert param.value == param.default
    indicator = texts.get("class_i_ssi_rate")
    assert indicator is not None
    assert indicator.kind == "indicator"
    assert indicator.numerator
    assert texts.get("NO-SUCH") is None


def test_the_regions_setting_is_the_value_shown(tmp_path: Path) -> None:
    rule_id, name = _with_params()
    default = next(p for p in RuleTexts.for_home(tmp_path).entries[rule_id].params if p.name == name).default
    assert isinstance(default, int | float | Decimal)
    assert not isinstance(default, bool)
    changed = default * 2
    (tmp_path / "rules.toml").write_text(f"[{rule_id}.params]\n{name} = {changed}\n", encoding="utf-8")
    param = next(p for p in RuleTexts.for_home(tmp_path).entries[rule_id].params if p.name == name)
    assert (param.value, param.default) == (changed, default)


def test_a_broken_settings_file_falls_back_to_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "rules.toml").write_text("[NO-SUCH-RULE]\nenabled = false\n", encoding="utf-8")
    rule_id, _ = _with_params()
    assert RuleTexts.for_home(tmp_path).get(rule_id) is not None
