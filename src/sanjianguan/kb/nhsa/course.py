"""限定支付疗程 (batches 6 and 8-3): payable course → `max_days`.

`max_days` caps the distinct charge days of an item in one encounter (D08). A course
limit ("支付不超过14天", "一个疾病过程支付不超过90天") may span encounters; the
per-encounter check catches the stays that alone exceed it. Lengths in months and
years count 30 and 365 days. Batch 8-3 also states intervals ("评定间隔时间不短于14天",
"每周最多支付一次"), imported as a frequency limit.
"""

from __future__ import annotations

import re
from pathlib import Path

from sanjianguan.kb.nhsa.frequency import window_for_days
from sanjianguan.kb.nhsa.model import FamilyResult, Unrepresentable
from sanjianguan.kb.nhsa.sheets import Record, field, read_drug_rules, read_item_rules

_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "六": 6, "十": 10}
_UNIT_DAYS = {"天": 1, "日": 1, "周": 7, "个月": 30, "月": 30, "年": 365}
_LENGTH = re.compile(r"(\d+|[一二两三六十])\s*(天|日|周|个月|月|年)")
_MAX = re.compile(r"^(?:一个疾病过程)?(?:支付|总时间)不超过(.+)$")
_INTERVAL = re.compile(r"^(?:两次)?评定间隔时间不短于(.+)$")
_WEEKLY = re.compile(r"^每周最多支付(一|1)次$")
_CLAUSES = re.compile(r"[，,。；;]")


def days_in(text: str) -> int:
    """`14天` → 14, `一年` → 365, `12个月` → 360."""
    match = _LENGTH.fullmatch(text.strip())
    if not match:
        raise Unrepresentable(f"疗程 {text!r} 无法识别 / course length not understood")
    count = int(match[1]) if match[1].isdigit() else _NUMERALS[match[1]]
    return count * _UNIT_DAYS[match[2]]


def _drug(record: Record) -> dict[str, str]:
    return {"max_days": str(days_in(field(record, "限定值域") or ""))}


def parse_course_text(text: str) -> dict[str, str]:
    """Batch 8-3 free text: every clause must be understood, or the row is reported."""
    values: dict[str, str] = {}
    for clause in (c.strip() for c in _CLAUSES.split(text)):
        if not clause:
            continue
        if match := _MAX.match(clause):
            values["max_days"] = str(days_in(match[1]))
        elif match := _INTERVAL.match(clause):
            values.update(freq_limit="1", freq_window=window_for_days(days_in(match[1])))
        elif _WEEKLY.match(clause):
            values.update(freq_limit="1", freq_window="week")
        else:
            raise Unrepresentable(f"无法解析的限制“{clause}” / limit not understood")
    if not values:
        raise Unrepresentable("备注为空 / no limit stated")
    return values


def _item(record: Record) -> dict[str, str]:
    return parse_course_text(field(record, "备注") or "")


def read_drugs(path: Path) -> FamilyResult:
    return read_drug_rules(path, interpret=_drug)


def read_items(path: Path) -> FamilyResult:
    return read_item_rules(path, code="项目代码", name="项目名称", interpret=_item)
