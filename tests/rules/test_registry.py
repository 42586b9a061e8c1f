"""Rule discovery and regional configuration: overrides, disabling, regional files, errors."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from sanjianguan.errors import RuleError
from sanjianguan.rules.docs import GUIDE
from sanjianguan.rules.model import Category
from sanjianguan.rules.registry import all_rules, builtin_rules, load_catalogue, parse_rule, select
from tests.rules.builder import StoreBuilder
from tests.rules.conftest import RunHits

VALID = '''
id = "X01"
name_zh = "测试"
name_en = "test"
category = "charges"
grade = "hint"
stage = "after"
policy = "test"
evidence = ["n"]
query = """
SELECT e.encounter_id AS hit_key, e.institution_id, e.department, e.attending_doctor_id AS doctor_id,
  e.patient_id, e.encounter_id, CAST(NULL AS VARCHAR) AS related_encounter_id,
  CAST(e.admit_time AS DATE) AS event_date, e.total_amount AS amount_involved, :n AS ev_n
FROM p_encounters AS e WHERE e.total_amount > :n
"""

[params.n]
default = 100
description = "threshold"
'''


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_builtins_are_valid_and_unique() -> None:
    rules = builtin_rules()
    assert {"C01", "C02", "C05"} <= {r.id for r in rules}
    assert all(r.builtin and r.category is Category.CHARGES for r in rules if r.id.startswith("C"))
    assert builtin_rules()[1].params["tolerance"].default == Decimal("0.01")


def test_override_changes_parameters_and_disables(home: Path) -> None:
    _write(home / "rules.toml", "[C01]\nenabled = false\n\n[C02.params]\ntolerance = 0.05\n")
    catalogue = {c.rule.id: c for c in load_catalogue(home)}
    assert not catalogue["C01"].enabled
    assert catalogue["C02"].values == {"tolerance": Decimal("0.05")}
    assert "C01" not in {c.rule.id for c in select(load_catalogue(home), None)}
    with pytest.raises(RuleError, match="disabled"):
        select(load_catalogue(home), ["C01"])


def test_override_applies_in_a_run(build: StoreBuilder, run_hits: RunHits, home: Path) -> None:
    build.item("X", price_cap_l3=Decimal("10")).encounter("E1")
    build.fee("E1", "X", "2025-03-02 08:00:00", 1, "10.03")
    assert len(run_hits("C02")) == 1
    _write(home / "rules.toml", "[C02.params]\ntolerance = 0.05\n")
    assert run_hits("C02") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[C99]\nenabled = false\n", "unknown rule"),
        ("[C02.params]\nspeed = 1\n", "unknown parameter 'speed'"),
        ('[C02.params]\ntolerance = "high"\n', "must be number"),
        ("[C02]\nenabled = 3\n", r"\[C02\]"),
        ("[C02]\ncolour = 1\n", "only `enabled`"),
        ("[C02\n", "cannot parse TOML"),
    ],
)
def test_bad_settings_are_clear_errors(home: Path, text: str, message: str) -> None:
    _write(home / "rules.toml", text)
    with pytest.raises(RuleError, match=message) as info:
        load_catalogue(home)
    assert "rules.toml" in str(info.value)


def test_regional_rule_is_discovered(home: Path) -> None:
    _write(home / "rules" / "X01.toml", VALID)
    rule = {r.id: r for r in all_rules(home)}["X01"]
    assert not rule.builtin
    assert rule.source.endswith("X01.toml")


def test_documented_example_runs(build: StoreBuilder, run_hits: RunHits, home: Path) -> None:
    example = re.search(r'```toml\n(id = "X01".*?)```', GUIDE, re.S)
    assert example, "the worked example is missing from the guide"
    _write(home / "rules" / "X01.toml", example.group(1))
    _write(home / "rules.toml", "[X01.params]\nday_limit = 100\n")
    build.encounter("E1")
    build.fee("E1", "OP", "2025-03-02 08:00:00", 2, "60")
    build.fee("E1", "OP", "2025-03-03 08:00:00", 1, "60")

    [hit] = run_hits("X01")

    assert hit.hit_key == "E1|OP|2025-03-02"
    assert '"day_amount":"120"' in hit.evidence


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('grade = "hint"', 'grade = "severe"'), "grade"),
        (lambda t: t.replace('policy = "test"\n', ""), "policy"),
        (lambda t: t.replace("e.total_amount > :n", "e.total_amount > :m"), r"undeclared \['m'\]"),
        (lambda t: t.replace(", :n AS ev_n", ", 1 AS ev_x"), r"missing \['ev_n'\]"),
        (lambda t: t.replace("FROM p_encounters AS e WHERE", "FROM p_encounters AS e WHERE WHERE"), "parse"),
        (lambda t: t.replace('id = "X01"', 'id = "C01"'), "already declared"),
        (lambda t: t.replace('id = "X01"', 'id = "x 1"'), "rule id"),
        (lambda t: t + "oops", "TOML"),
    ],
)
def test_bad_rule_files_are_clear_errors(home: Path, change: object, message: str) -> None:
    assert callable(change)
    path = _write(home / "rules" / "X01.toml", change(VALID))
    with pytest.raises(RuleError, match=message) as info:
        all_rules(home)
    assert str(path) in str(info.value)


def test_float_parameters_stay_exact() -> None:
    rule = parse_rule(VALID.replace("default = 100", "default = 0.1"), "x.toml")
    assert rule.params["n"].default == Decimal("0.1")
