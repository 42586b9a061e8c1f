"""The tables of the 月报 and 通报, built once from `MonthlyFigures` for Word and Excel alike.

A table is its caption, headers and rows of plain values (int, Decimal yuan, a rate as a
float in [0, 1], text); `cell_text` writes a value as the document shows it, the
workbook keeps numbers as numbers. Nothing here is typed in: every row comes from the
figures, so reading a document back gives the figures again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from sanjianguan.reports.data.monthly import MonthlyFigures
from sanjianguan.reports.data.monthly_results import InstitutionRow

Value = int | Decimal | float | str | None


@dataclass(frozen=True)
class Rate:
    """A share in [0, 1] shown as a percentage with one decimal (None: nothing to divide)."""

    value: float | None


Cell = Value | Rate


@dataclass(frozen=True)
class ReportTable:
    """One table: `key` names it (the workbook's sheet, the tests), `caption` titles it."""

    key: str
    caption: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    widths_cm: tuple[float, ...] | None = None

    @property
    def numeric(self) -> list[bool]:
        """Right-align the columns whose values are numbers (or rates)."""
        return [
            any(isinstance(row[i], (int, Decimal, float, Rate)) for row in self.rows)
            for i in range(len(self.headers))
        ]


def cell_text(value: Cell) -> str:
    """A value as the Word tables show it: 1,234.56 for yuan, 85.0% for a rate, — for none."""
    if isinstance(value, Rate):
        return "—" if value.value is None else f"{value.value * 100:.1f}%"
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value * 100:.1f}%"
    return str(value)


def reporting(f: MonthlyFigures) -> ReportTable | None:
    if f.collection is None:
        return None
    rows: list[tuple[Cell, ...]] = [(c.label_zh, c.count) for c in f.collection.reporting]
    rows.append(("合计", sum(c.count for c in f.collection.reporting)))
    return ReportTable("reporting", "数据上报情况（机构数）", ("上报状态", "机构数"), rows)


def quality(f: MonthlyFigures) -> ReportTable | None:
    if f.collection is None or not f.collection.quality:
        return None
    rows: list[tuple[Cell, ...]] = [
        (q.name, Rate(q.completeness), Rate(q.timeliness), Rate(q.mapping), Rate(q.score))
        for q in f.collection.quality
    ]
    headers = ("机构", "完整性", "及时性", "对码率", "综合得分")
    return ReportTable("quality", "数据质量", headers, rows, (5.6, 2.5, 2.5, 2.5, 2.5))


def by_category(f: MonthlyFigures) -> ReportTable:
    amounts = {a.key: a.amount for a in f.counts.amounts}
    rows: list[tuple[Cell, ...]] = [(c.label_zh, c.count, amounts[c.key]) for c in f.counts.by_category]
    rows.append(("合计", f.counts.total, f.counts.amount_total))
    return ReportTable("by_category", "疑似问题线索（按类别）", ("类别", "线索数", "涉及金额（元）"), rows)


def by_rule(f: MonthlyFigures) -> ReportTable:
    rows: list[tuple[Cell, ...]] = [(c.label_zh, c.count) for c in f.counts.by_rule]
    return ReportTable("by_rule", "线索最多的规则（前10）", ("规则", "线索数"), rows, (11.0, 3.0))


def progress(f: MonthlyFigures) -> ReportTable:
    c, s, k = f.counts, f.counts.sampling, f.cases
    rows: list[tuple[Cell, ...]] = [
        ("应自查线索", c.self_check.due),
        ("按期自查", c.self_check.on_time),
        ("按期自查率", Rate(c.self_check.rate)),
        ("抽中核实", s.sampled),
        ("已核实", s.verified),
        ("待核实", s.pending),
        ("提交裁定", k.adjudication_opened),
        ("已裁定", k.adjudicated),
        ("已认定", k.decided),
        ("提出申诉", k.appealed),
        ("申诉复核撤销", k.overturned),
    ]
    return ReportTable("progress", "工作进展", ("项目", "数量"), rows)


def results(f: MonthlyFigures) -> ReportTable:
    k = f.cases
    rows: list[tuple[Cell, ...]] = [
        ("查实问题（认定不合理）", k.confirmed),
        ("查实问题涉及金额（元）", k.confirmed_amount),
        ("认定合理", k.reasonable),
        ("已下达责任追究通知", k.responsibility_notices),
        ("责任追究中（待整改）", k.in_accountability),
        ("整改到位并办结", k.rectified),
    ]
    return ReportTable("results", "查处结果", ("项目", "数量"), rows)


def actions(f: MonthlyFigures) -> ReportTable | None:
    if f.actions is None:
        return None
    rows: list[tuple[Cell, ...]] = [(a.label_zh, a.count) for a in f.actions]
    return ReportTable("actions", "本月责任追究（按方式）", ("追责方式", "次数"), rows, (11.0, 3.0))


def points(f: MonthlyFigures) -> ReportTable | None:
    if f.points is None:
        return None
    p = f.points
    rows: list[tuple[Cell, ...]] = [
        ("记分记录", p.records),
        ("记分分值", p.points),
        ("其中：对医疗机构", p.institutions),
        ("其中：对医务人员", p.staff),
    ]
    return ReportTable("points", "本月不良执业行为记分", ("项目", "数量"), rows)


RANK_HEADERS = ("排名", "机构", "线索数", "涉及金额（元）", "查实问题", "查实金额（元）", "逾期自查")
RANK_WIDTHS = (1.2, 4.6, 1.6, 2.6, 1.6, 2.6, 1.6)


def _ranked(rows: Sequence[InstitutionRow]) -> list[tuple[Cell, ...]]:
    return [
        (i, r.name, r.clues, r.amount, r.confirmed, r.confirmed_amount, r.self_check_late)
        for i, r in enumerate(rows, start=1)
    ]


def ranking(f: MonthlyFigures) -> ReportTable:
    return ReportTable("ranking", "机构排名（按线索数）", RANK_HEADERS, _ranked(f.ranking), RANK_WIDTHS)


def ranking_by_amount(f: MonthlyFigures) -> ReportTable:
    caption = "机构排名（按查实金额）"
    return ReportTable("ranking_by_amount", caption, RANK_HEADERS, _ranked(f.ranking_by_amount), RANK_WIDTHS)


def trend(f: MonthlyFigures) -> ReportTable:
    rows: list[tuple[Cell, ...]] = [(p.period, p.count, p.amount) for p in f.counts.trend]
    return ReportTable("trend", "近12个月线索趋势", ("结算月", "线索数", "涉及金额（元）"), rows)


def all_tables(f: MonthlyFigures) -> list[ReportTable]:
    """Every table of the 月报, in its order (absent ones left out: no store, no permission)."""
    found = [
        reporting(f),
        quality(f),
        by_category(f),
        by_rule(f),
        progress(f),
        results(f),
        actions(f),
        points(f),
        ranking(f),
        ranking_by_amount(f),
        trend(f),
    ]
    return numbered([t for t in found if t is not None])


def numbered(tables: Sequence[ReportTable]) -> list[ReportTable]:
    """The tables with their captions numbered 表1, 表2, … in the order given."""
    return [replace(t, caption=f"表{i} {t.caption}") for i, t in enumerate(tables, start=1)]


def late_self_checks(f: MonthlyFigures) -> ReportTable:
    rows: list[tuple[Cell, ...]] = [(r.name, r.self_check_due, r.self_check_late) for r in f.late_self_checks]
    headers = ("机构", "应自查", "逾期自查")
    return ReportTable("late_self_checks", "逾期自查机构", headers, rows, (9.0, 2.5, 2.5))


def bulletin_tables(f: MonthlyFigures) -> list[ReportTable]:
    """The 通报's tables: results, the two rankings, the rules found most, late self-checks."""
    return numbered([results(f), ranking(f), ranking_by_amount(f), by_rule(f), late_self_checks(f)])
