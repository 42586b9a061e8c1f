"""限定频次 (batch 8-1) and 周期超频次 (batch 8-4) → `freq_limit` + `freq_window`.

`freq_window` is a calendar unit (day, ISO week, month, year). A cycle of N days
("at most n per N days") becomes the longest calendar unit that never exceeds N days
(1-6 → day, 7-30 → week, 31-364 → month, 365+ → year): more than n in such a unit
is always more than n within N days, so every hit is a true breach; breaches that
straddle two units are missed.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from sanjianguan.kb.nhsa.model import FamilyResult, Unrepresentable
from sanjianguan.kb.nhsa.sheets import Record, field, read_item_rules

# Longest calendar unit first: (its shortest length in days, window).
_WINDOWS = ((365, "year"), (31, "month"), (7, "week"), (1, "day"))
_DAY_UNITS = ("日", "天")
_HOURS_PER_DAY = 24


def window_for_days(days: int) -> str:
    """The longest calendar window that is never longer than `days`."""
    for length, window in _WINDOWS:
        if days >= length:
            return window
    raise Unrepresentable(f"周期 {days} 天无效 / cycle of {days} days is not valid")


def positive_number(value: str | None, label: str) -> Decimal:
    try:
        number = Decimal(value or "")
    except InvalidOperation:
        raise Unrepresentable(f"{label} {value!r} 不是数值 / not a number") from None
    if not number.is_finite() or number <= 0:
        raise Unrepresentable(f"{label} {value!r} 不是正数 / not a positive number")
    return number


def _daily(record: Record) -> dict[str, str]:
    limit = positive_number(field(record, "限制数量"), "限制数量")
    unit = field(record, "数量单位")
    # "1 日" (a day-billed item) and "24 小时" (an hour-billed item) both cap the
    # quantity charged per day.
    if unit in _DAY_UNITS or (unit == "小时" and limit <= _HOURS_PER_DAY):
        return {"freq_limit": format(limit, "f"), "freq_window": "day"}
    raise Unrepresentable(f"数量单位 {unit!r}（限制数量 {limit}）无法识别 / quantity unit not understood")


def _cycle(record: Record) -> dict[str, str]:
    limit = positive_number(field(record, "频次上限"), "频次上限")
    days = positive_number(field(record, "疗程周期"), "疗程周期")
    if days != days.to_integral_value():
        raise Unrepresentable(f"疗程周期 {days} 不是整天数 / cycle is not whole days")
    return {"freq_limit": format(limit, "f"), "freq_window": window_for_days(int(days))}


def read_daily(path: Path) -> FamilyResult:
    """Batch 8-1: 限制数量 + 数量单位 (日/天/小时) per day."""
    return read_item_rules(path, code="项目编码", name="项目名称", interpret=_daily)


def read_cycles(path: Path) -> FamilyResult:
    """Batch 8-4: 频次上限 per 疗程周期 days."""
    return read_item_rules(path, code="项目代码", name="项目名称", interpret=_cycle)
