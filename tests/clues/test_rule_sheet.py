"""规则说明: the rule sheets a reviewer (and an expert) reads, with the region's parameter values."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from sanjianguan.clues.rule_sheet import RuleCatalogue, definition, definition_en, show
from sanjianguan.rules.docs import GUIDE
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


CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_builtin_rule_is_defined_in_chinese() -> None:
    rules = builtin_rules()
    assert len(rules) >= 50
    for rule in rules:
        zh, en = definition(rule.source), definition_en(rule.source)
        assert zh.startswith(rule.name_zh), rule.id
        assert CJK.search(zh.removeprefix(rule.name_zh)), rule.id  # not only the name
        assert "en:" not in zh, rule.id
        prose = re.sub(r"`[^`]*`", "", zh)  # keys and knowledge-base fields aside
        assert not re.search(r"[a-z]+ [a-z]+ [a-z]+", prose), (rule.id, zh)  # no English sentence
        assert re.search(r"[a-z]+ [a-z]+ [a-z]+", en), rule.id  # the original kept after `# en:`
        for name in rule.params:
            assert f"`{name}`" in zh, (rule.id, name)  # each parameter named by its key


def _regional_rule(home: Path, comment: str) -> str:
    """`<home>/rules/X01.toml`: the worked example of docs/rules.md opening with `comment`."""
    example = GUIDE.split("```toml", 2)[2].split("```", 1)[0]
    (home / "rules").mkdir(parents=True)
    path = home / "rules" / "X01.toml"
    path.write_text(comment + example.lstrip("\n"), encoding="utf-8")
    return str(path)


def test_the_definition_stops_at_the_english_line(tmp_path: Path) -> None:
    zh = "# 单日单项费用过高：同一天\n# 同一项目超过 `day_limit`。\n"
    comment = zh + "# en: one item, one day,\n# over a limit.\n"
    source = _regional_rule(tmp_path, comment)
    assert definition(source) == "单日单项费用过高：同一天 同一项目超过 `day_limit`。"
    assert definition_en(source) == "one item, one day, over a limit."
    sheet = RuleCatalogue.for_home(tmp_path).sheet("X01")
    assert sheet is not None
    assert sheet.definition == definition(source)


def test_a_regional_comment_without_english_line_is_shown_whole(tmp_path: Path) -> None:
    comment = "# X01: an inpatient charged more than\n# a daily amount of one item.\n"
    source = _regional_rule(tmp_path, comment)
    sheet = RuleCatalogue.for_home(tmp_path).sheet("X01")
    assert sheet is not None
    assert sheet.definition == "X01: an inpatient charged more than a daily amount of one item."
    assert definition_en(source) == ""
