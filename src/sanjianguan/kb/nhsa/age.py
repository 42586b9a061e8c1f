"""限定年龄 (batches 1 and 8-2): age-restricted drugs and items → `age_min`/`age_max`.

The knowledge base holds ages in completed years (C07 compares the patient's age in
completed years), so the population words of the library become year bounds:
- 儿童 (child): under 18 → age_max 17, as the national drug catalogue counts children;
- 婴幼儿 (infant or toddler): under 3 → age_max 2;
- 新生儿 (newborn): the first 28 days → age_max 0, i.e. under one year; whole years
  cannot say "28 days", so the check is looser than the rule (sound, never stricter).
"""

from __future__ import annotations

from pathlib import Path

from sanjianguan.kb.nhsa.model import FamilyResult, Unrepresentable
from sanjianguan.kb.nhsa.sheets import Record, field, read_drug_rules, read_item_rules

AGE_GROUPS: dict[str, dict[str, str]] = {
    "儿童": {"age_max": "17"},
    "婴幼儿": {"age_max": "2"},
    "新生儿": {"age_max": "0"},
}


def age_group(value: str | None) -> dict[str, str]:
    if value not in AGE_GROUPS:
        raise Unrepresentable(f"限定对象 {value!r} 不是已知年龄段 / unknown age group")
    return dict(AGE_GROUPS[value])


def _record(record: Record) -> dict[str, str]:
    return age_group(field(record, "限定对象"))


def _working_age(record: Record) -> dict[str, str]:
    # The legal working age ends at the retirement age, which depends on sex and on
    # the year of birth (2025 reform): one sex-independent age_max would be wrong.
    raise Unrepresentable(
        f"{field(record, '备注')}: 法定就业年龄上限随性别与出生年份而不同，知识库年龄限制不分性别 / "
        "working-age limit depends on sex and birth year; the age columns cannot express it"
    )


def read_drugs(path: Path) -> FamilyResult:
    return read_drug_rules(path, interpret=_record)


def read_items(path: Path) -> FamilyResult:
    return read_item_rules(path, code="国标代码", name="项目名称", interpret=_record)


def read_working_age(path: Path) -> FamilyResult:
    """Batch 8-2 (限定年龄: 法定就业年龄): reported, see `_working_age`."""
    return read_item_rules(path, code="项目代码", name="项目名称", interpret=_working_age)
