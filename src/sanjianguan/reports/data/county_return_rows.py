"""县区月报: the rows of its two tables and the window they count in (历月累计).

Shared by the figures of 表1 (`county_return`) and 表2 (`county_return_actions`); each
field's reading is in docs/reports/county-return.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal

from sanjianguan.calendar.workdays import start_of_day
from sanjianguan.period import Period


@dataclass(frozen=True)
class Window:
    """历月累计: the months January … `period` of one year, and the instants that bound them."""

    period: Period
    first: Period
    start: datetime  # 00:00 China time of 1 January (aware UTC)
    cutoff: datetime  # 00:00 China time of the day after the period's last day (aware UTC)

    @classmethod
    def of(cls, period: Period) -> Window:
        first = Period(period.year, 1)
        end = start_of_day(period.last_day + timedelta(days=1))
        return cls(period, first, start_of_day(first.start), end)

    @property
    def months(self) -> list[str]:
        return [str(Period(self.period.year, m)) for m in range(1, (self.period.month or 12) + 1)]

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and moment < self.cutoff

    def holds_in_year(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.cutoff

    def holds_day(self, day: date | None) -> bool:
        return day is not None and self.first.start <= day <= self.period.last_day


@dataclass
class ClueRow:
    """表1 one institution (or 合计): its clues of January … period, by the step reached by the end."""

    institution_id: str
    name: str
    received: int = 0  # 接收线索: pushed to the county (self-check deadline began) by the end
    self_checked: int = 0  # 已自查: self-check submitted
    on_time: int = 0  # 按期自查: answered on or before the first deadline (cases.progress)
    self_confirmed: int = 0  # 自查属实: the institution confirmed the problem
    sampled: int = 0  # 抽中核实: drawn for verification (random or selected dispute)
    verified: int = 0  # 已核实: verification recorded
    decided: int = 0  # 已认定: a decision recorded (合理 or 不合理)
    unreasonable: int = 0  # 认定不合理: decided a problem (art. 29)
    amount_involved: Decimal = field(default_factory=lambda: Decimal("0.00"))  # 涉及金额 of received
    amount_confirmed: Decimal = field(default_factory=lambda: Decimal("0.00"))  # 不合理 clues' amount
    closed: int = 0  # 已办结
    appealed: int = 0  # 申诉: appeals filed

    def add(self, other: ClueRow) -> None:
        for f in fields(self)[2:]:
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class ActionRow:
    """表2 one institution (or 合计): accountability, points, referrals, rectification of the year so far."""

    institution_id: str
    name: str
    confirmed: int = 0  # 追责（已确认）: confirmed ladder proposals, every type
    internal: int = 0  # 院内处理: on a doctor or a department (art. 17, 18), carried out by the institution
    reminder: int = 0  # 提醒干预 (art. 20-22 each)
    correction: int = 0  # 责令限期改正 (art. 19, 24)
    interview: int = 0  # 约谈机构负责人: confirmed proposals that interview + interviews recorded
    bulletin: int = 0  # 通报 (art. 23, 25)
    other: int = 0  # 其他: e.g. 取消评优 (art. 16, 25), exempted (art. 12)
    admin_penalty: int = 0  # 行政处罚 recorded (art. 16)
    institution_points: int = 0  # 机构记分（分）
    staff_scored: int = 0  # 医务人员记分（人次）
    staff_points: int = 0  # 医务人员记分（分）
    referred: int = 0  # 移送案件: referrals sent
    rectified: int = 0  # 整改完成: clues whose rectification was reported

    def add(self, other: ActionRow) -> None:
        for f in fields(self)[2:]:
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
