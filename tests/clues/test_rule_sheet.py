"""规则说明: the rule sheets a reviewer (and an expert) reads, with the region's parameter values."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sanjianguan.clues.rule_sheet import RuleCatalogue, show
from sanjianguan.rules.registry import builtin_rules


def _with_params() -> tuple[str, str]:
    rule = next(r for r in builtin_rules() if r.params)
    return rule.id, sorted(rule.params)[0]


def test_builtin_rules_and_indicators_have_their_policy(tmp_path: Path) -> None:
    catalogue = RuleCatalogue.for_home(tmp_path)
    assert catalogue.error is None
    rule_id, name = _with_params()
    rule = catalogue.sheet(rule_id)
    assert rule is not None
    assert rule.kind == "rule"
    assert rule.policy
    assert dict(rule.facts)["类别"]
    param = next(p for p in rule.params if p.name == name)
    assert param.configured == param.default
    indicator = catalogue.sheet("class_i_ssi_rate")
    assert indicator is not None
    assert indicator.kind == "indicator"
    assert indicator.definition.startswith("分子：")
    assert catalogue.sheet("NO-SUCH") is None


def test_the_regions_setting_is_the_value_shown(tmp_path: Path) -> None:
    rule_id, name = _with_params()
    default = RuleCatalogue.for_home(tmp_path).rules[rule_id].rule.params[name].default
    assert isinstance(default, int | float | Decimal)
    assert not isinstance(default, bool)
    changed = default * 2
    (tmp_path / "rules.toml").write_text(f"[{rule_id}.params]\n{name} = {changed}\n", encoding="utf-8")
    sheet = RuleCatalogue.for_home(tmp_path).sheet(rule_id)
    assert sheet is not None
    param = next(p for p in sheet.params if p.name == name)
    assert (param.configured, param.default) == (show(changed), show(default))


def test_a_broken_settings_file_falls_back_to_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "rules.toml").write_text("[NO-SUCH-RULE]\nenabled = false\n", encoding="utf-8")
    rule_id, _ = _with_params()
    catalogue = RuleCatalogue.for_home(tmp_path)
    assert catalogue.sheet(rule_id) is not None
    assert catalogue.error is not None  # the 规则 pages show it; the clue pages read the defaults
