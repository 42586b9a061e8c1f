"""限定机构等级 (batch 5): drugs limited to higher-level institutions → `min_level`.

`二级`, `二级及以上`, `限二级及以上医疗机构` all mean level 2 or higher.
"""

from __future__ import annotations

import re
from pathlib import Path

from sanjianguan.kb.nhsa.model import FamilyResult, Unrepresentable
from sanjianguan.kb.nhsa.sheets import Record, field, read_drug_rules

_LEVEL = re.compile(r"([一二三123])级")
_DIGITS = {"一": "1", "二": "2", "三": "3", "1": "1", "2": "2", "3": "3"}


def min_level(value: str | None) -> dict[str, str]:
    levels = {_DIGITS[m] for m in _LEVEL.findall(value or "")}
    if len(levels) != 1:
        raise Unrepresentable(f"机构等级 {value!r} 无法识别 / institution level not understood")
    return {"min_level": levels.pop()}


def _record(record: Record) -> dict[str, str]:
    return min_level(field(record, "限定值域", "限定对象"))


def read(path: Path) -> FamilyResult:
    return read_drug_rules(path, interpret=_record)
