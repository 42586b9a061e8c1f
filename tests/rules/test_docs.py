"""`docs/rules.md` documents every rule and is regenerated from the declarations."""

from __future__ import annotations

from pathlib import Path

from sanjianguan.rules.docs import DOC_PATH, render
from sanjianguan.rules.registry import builtin_rules

ROOT = Path(__file__).resolve().parents[2]


def test_every_rule_is_documented() -> None:
    text = (ROOT / DOC_PATH).read_text(encoding="utf-8")
    for rule in builtin_rules():
        assert f"### {rule.id} {rule.name_zh}" in text, f"{rule.id} is missing from {DOC_PATH}"


def test_generated_doc_is_current() -> None:
    expected = render(builtin_rules())
    actual = (ROOT / DOC_PATH).read_text(encoding="utf-8")
    assert actual == expected, f"{DOC_PATH} is stale: run `python -m sanjianguan.rules.docs`"
