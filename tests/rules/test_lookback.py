"""Look-back (回溯): a rule reads earlier months as far as its query needs; no month count is declared.

`lookback_months` was declared by 32 rules and read by nothing. It is removed rather
than enforced: the window of a look-back rule is a parameter a region may widen (T06
`window_days`, T10 `lookback_days`) or a knowledge-base value (E01 repeat windows), so
a fixed month count would cut hits the spec says the rule must find.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sanjianguan.errors import RuleError
from sanjianguan.rules.docs import GUIDE, render
from sanjianguan.rules.registry import builtin_rules, parse_rule
from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits

_RULE = """
id = "X01"
name_zh = "示例"
name_en = "example"
category = "charges"
grade = "hint"
stage = "after"
policy = "test"
evidence = []
lookback_months = 12
query = '''
SELECT 'k' AS hit_key, NULL AS institution_id, NULL AS department, NULL AS doctor_id,
  NULL AS patient_id, NULL AS encounter_id, NULL AS related_encounter_id,
  NULL AS event_date, NULL AS amount_involved
'''
"""


def test_a_declared_look_back_is_refused_naming_the_key() -> None:
    with pytest.raises(RuleError, match=r"X01\.toml: 规则定义无效 / invalid rule: lookback_months"):
        parse_rule(_RULE, "rules/X01.toml")
    # Without the key the same declaration is valid.
    assert parse_rule(_RULE.replace("lookback_months = 12\n", ""), "rules/X01.toml").id == "X01"


def test_no_rule_and_no_doc_declares_a_month_count() -> None:
    assert builtin_rules()
    assert "lookback_months =" not in render(builtin_rules())
    assert "look-back:" not in render(builtin_rules()).split("## 地方配置")[0]
    assert "reads the full tables and bounds its own" in " ".join(GUIDE.split())


def test_a_widened_window_reads_beyond_twelve_months(
    build: StoreBuilder, run_hits: RunHits, home: Path
) -> None:
    # Four admissions over 20 months: outside T06's default 365 days, inside 730.
    for encounter, day, period in (
        ("A1", "2023-07-10", "2023-07"),
        ("A2", "2024-01-10", "2024-01"),
        ("A3", "2024-09-10", "2024-09"),
        ("A4", "2025-03-10", "2025-03"),
    ):
        build.encounter(encounter, admit=f"{day} 09:00:00", discharge=None, period=period)
    assert run_hits("T06") == []
    (home / "rules.toml").write_text("[T06.params]\nwindow_days = 730\n", encoding="utf-8")
    [hit] = run_hits("T06")
    assert hit.encounter_id == "A4"
    assert '"first_admit_day":"2023-07-10"' in hit.evidence
