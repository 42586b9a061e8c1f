"""证据字段的中文名: the keys built-in rules, the anonymiser and indicator clues write all have one."""

from __future__ import annotations

import re

import pytest

from sanjianguan.clues.anonymise import FIELDS
from sanjianguan.clues.evidence_labels import EVIDENCE_LABELS, label
from sanjianguan.rules.registry import builtin_rules

CJK = re.compile(r"[\u4e00-\u9fff]")
EV_COLUMN = re.compile(r"\bAS\s+ev_(\w+)", re.IGNORECASE)
INDICATOR_KEYS = ("indicator_name", "group", "value", "target", "reason")  # clues.generate.indicator_drafts


def _declared() -> set[str]:
    return {key for rule in builtin_rules() for key in rule.evidence}


def _written() -> set[str]:
    return {key for rule in builtin_rules() for key in EV_COLUMN.findall(rule.query)}


def test_the_sets_checked_are_not_empty() -> None:
    assert len(_declared()) > 100
    assert _written() == _declared()  # the queries write what the declarations list


@pytest.mark.parametrize(
    "source",
    ["FIELDS", "shown_as", "declared", "written", "indicator"],
)
def test_every_key_has_a_chinese_label(source: str) -> None:
    keys = {
        "FIELDS": set(FIELDS),
        "shown_as": {f.shown_as for f in FIELDS.values() if f.shown_as},
        "declared": _declared(),
        "written": _written(),
        "indicator": set(INDICATOR_KEYS),
    }[source]
    assert keys
    missing = sorted(k for k in keys if not CJK.search(EVIDENCE_LABELS.get(k, "")))
    assert not missing, missing


def test_the_terms_of_the_spec() -> None:
    assert label("line_ids") == "明细编号"
    assert label("max_per_day") == "每日上限"
    assert label("oe") == "O/E 值"
    assert label("oe_limit") == "O/E 上限"
    assert label("admit_day") == "入院日期"
    assert label("discharge_day") == "出院日期"
    assert label("los") == "住院天数"
    assert label("net_quantity").startswith("净数量")
    assert label("unit_price").startswith("单价")


def test_an_unknown_key_is_shown_as_it_is() -> None:
    assert label("day_amount") == "day_amount"  # a regional rule's own evidence (docs/rules.md X01)
    assert label("") == ""
