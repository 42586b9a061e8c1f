"""限定性别 (batch 1): sex-restricted drugs and service items → `sex_limit` (1 male, 2 female)."""

from __future__ import annotations

from pathlib import Path

from sanjianguan.kb.nhsa.model import FamilyResult, Unrepresentable
from sanjianguan.kb.nhsa.sheets import Record, field, read_drug_rules, read_item_rules

SEX_CODES = {"男": "1", "男性": "1", "女": "2", "女性": "2"}


def sex_limit(value: str | None) -> dict[str, str]:
    """`男`/`女` → sex_limit 1/2 (GB/T 2261.1)."""
    if value not in SEX_CODES:
        raise Unrepresentable(f"限定性别 {value!r} 无法识别 / sex limit not 男 or 女")
    return {"sex_limit": SEX_CODES[value]}


def _drug(record: Record) -> dict[str, str]:
    return sex_limit(field(record, "限定对象", "限定性别"))


def _item(record: Record) -> dict[str, str]:
    return sex_limit(field(record, "限定性别", "限定对象"))


def read_drugs(path: Path) -> FamilyResult:
    return read_drug_rules(path, interpret=_drug)


def read_items(path: Path) -> FamilyResult:
    return read_item_rules(path, code="国标代码", name="项目名称", interpret=_item)
