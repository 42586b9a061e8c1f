"""Rule types with no knowledge-base column: every row is reported, with the reason.

- 限定主次操作 (batch 2): surgeries of one group done through the same incision,
  the second and later charged at a discount; the KB has no price-discount rule.
- 限定保险类型 (batch 3): drugs paid only by work-injury (工伤) or maternity (生育)
  insurance; the KB has no insurance-type column. Their code sheet rows are
  reported with them.
"""

from __future__ import annotations

from pathlib import Path

from sanjianguan.kb.nhsa.model import FamilyResult, Unrepresentable
from sanjianguan.kb.nhsa.sheets import Record, field, read_drug_rules, read_item_rules


def _surgery_group(record: Record) -> dict[str, str]:
    raise Unrepresentable(
        f"限定主次操作（{field(record, '限定值域')}）：知识库无手术折价规则 / "
        "primary/secondary surgery discount has no knowledge-base column"
    )


def _insurance_type(record: Record) -> dict[str, str]:
    raise Unrepresentable(
        f"限定保险类型（{field(record, '限定对象')}）：知识库无险种限制列 / "
        "insurance-type limit has no knowledge-base column"
    )


def read_surgery_groups(path: Path) -> FamilyResult:
    return read_item_rules(path, code="国标代码", name="项目名称", interpret=_surgery_group)


def read_insurance_types(path: Path) -> FamilyResult:
    return read_drug_rules(path, interpret=_insurance_type)
