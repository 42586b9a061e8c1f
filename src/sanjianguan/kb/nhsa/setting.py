"""限定就医方式 (batch 4): drugs paid only in one care setting → `setting`."""

from __future__ import annotations

from pathlib import Path

from sanjianguan.kb.nhsa.model import FamilyResult, Unrepresentable
from sanjianguan.kb.nhsa.sheets import Record, field, read_drug_rules

SETTINGS = {"住院": "inpatient", "门诊": "outpatient"}


def _record(record: Record) -> dict[str, str]:
    value = field(record, "限定值域", "限定对象")
    if value not in SETTINGS:
        raise Unrepresentable(f"限定就医方式 {value!r} 无法识别 / care setting not 住院 or 门诊")
    # "限急诊或住院" allows emergency visits too; `setting` cannot say "inpatient or
    # emergency", and C11 would flag every emergency use.
    if value == "住院" and "急诊" in (field(record, "药品说明") or ""):
        raise Unrepresentable(
            "限急诊或住院：setting 无法表示“住院或急诊” / inpatient-or-emergency not expressible"
        )
    return {"setting": SETTINGS[value]}


def read(path: Path) -> FamilyResult:
    return read_drug_rules(path, interpret=_record)
