"""The sentences of the 月报 and 通报, written from the figures (never typed numbers).

Each function reads `MonthlyFigures` and returns the paragraph(s) of one section; the
通报's 工作要求 name the institutions the figures single out (self-checks not on time,
data late or missing, problems waiting for rectification).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sanjianguan.reports.data.monthly import MonthlyFigures

NAMES_SHOWN = 10  # institutions named in one sentence; more are summed up as "等N家"


def yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}元"


def rate_text(rate: float | None) -> str:
    return "—（本月尚无到期的自查）" if rate is None else f"{rate * 100:.1f}%"


def names(items: Sequence[str]) -> str:
    """机构甲、机构乙等12家 (at most NAMES_SHOWN named)."""
    shown = "、".join(items[:NAMES_SHOWN])
    return shown + (f"等{len(items)}家" if len(items) > NAMES_SHOWN else f"共{len(items)}家")


def number_line(f: MonthlyFigures, number: str | None) -> str:
    """文号: as given, or the region's scheme with the number left blank for the office to fill.

    The scheme is the region's first character + 三监办〔year〕N号 (宜三监办〔2026〕　号); the
    year is the year the document is written (`today`)."""
    if number:
        return number
    short = f.region_name[:1] if f.region_name[:1] and not f.region_name[:1].isdigit() else ""
    return f"{short}三监办〔{f.today.year}〕\u3000号"


def collection(f: MonthlyFigures) -> list[str]:
    c = f.collection
    if c is None:
        return ["本辖区尚未接入分析库（数据采集平台），本月无数据上报及质控情况。"]
    counts = {row.key: row.count for row in c.reporting}
    total = sum(counts.values())
    found = [
        f"本月辖区内应上报机构{total}家，按时上报{counts.get('on_time', 0)}家，"
        f"迟报{counts.get('late', 0)}家，"
        f"未报{counts.get('missing', 0)}家，未接入{counts.get('not_connected', 0)}家，"
        f"待上报{counts.get('pending', 0)}家；机构指标结果未达目标值{c.failing_indicators}项。"
    ]
    for key, label in (("late", "迟报"), ("missing", "未报"), ("not_connected", "未接入")):
        if c.named[key]:
            found.append(f"{label}机构：{names(c.named[key])}。")
    return found


def analysis(f: MonthlyFigures) -> str:
    c = f.counts
    top = max(c.by_category, key=lambda row: row.count)
    text = (
        f"本月共产生疑似问题线索{c.total}条，涉及金额{yuan(c.amount_total)}，"
        f"涉及医疗机构{len(f.institutions)}家。"
    )
    if c.total:
        text += f"按类别，{top.label_zh}最多，{top.count}条。"
    if c.by_rule:
        text += f"线索最多的规则是{c.by_rule[0].label_zh}，{c.by_rule[0].count}条。"
    return text


def progress(f: MonthlyFigures) -> str:
    c, k = f.counts, f.cases
    return (
        f"本月线索应自查{c.self_check.due}条，按期自查{c.self_check.on_time}条，按期自查率"
        f"{rate_text(c.self_check.rate)}；抽中核实{c.sampling.sampled}条，已核实{c.sampling.verified}条，"
        f"待核实{c.sampling.pending}条；提交裁定{k.adjudication_opened}条，已裁定{k.adjudicated}条；"
        f"已认定{k.decided}条；机构提出申诉{k.appealed}条，复核撤销{k.overturned}条。"
    )


def results(f: MonthlyFigures) -> list[str]:
    k = f.cases
    found = [
        f"本月线索查实问题（认定不合理）{k.confirmed}条，涉及金额{yuan(k.confirmed_amount)}；认定合理{k.reasonable}条；"
        f"已下达责任追究通知{k.responsibility_notices}条，责任追究中（待整改）{k.in_accountability}条，"
        f"整改到位并办结{k.rectified}条。"
    ]
    if f.actions is None:
        found.append("责任追究情况：本角色无权查看，未列入。")
    else:
        done = "、".join(f"{a.label_zh}{a.count}次" for a in f.actions if a.count) or "无"
        found.append(f"本月（按确认或发生日期）责任追究：{done}。")
    if f.points is None:
        found.append("不良执业行为记分：本角色无权查看，未列入。")
    else:
        p = f.points
        found.append(
            f"本月（按批准日期）不良执业行为记分{p.records}条，共{p.points}分，"
            f"其中对医疗机构{p.institutions}条、对医务人员{p.staff}条。"
        )
    return found


def ranking(f: MonthlyFigures) -> str:
    if not f.institutions:
        return "本月辖区内无医疗机构产生线索。"
    first = f.institutions[0]
    text = f"按线索数，{first.name}居首，{first.clues}条，涉及金额{yuan(first.amount)}。"
    if f.ranking_by_amount:
        top = f.ranking_by_amount[0]
        text += f"按查实金额，{top.name}居首，查实问题{top.confirmed}条、金额{yuan(top.confirmed_amount)}。"
    return text


def trend(f: MonthlyFigures) -> str:
    points = f.counts.trend
    if len(points) < 2:
        return ""
    last, before = points[-1], points[-2]
    change = last.count - before.count
    word = "增加" if change > 0 else ("减少" if change < 0 else "持平")
    delta = f"{abs(change)}条" if change else ""
    return f"本月线索{last.count}条，较上月（{before.period}，{before.count}条）{word}{delta}。"


def requirements(f: MonthlyFigures) -> list[tuple[str, str]]:
    """通报's 工作要求 as (topic, text), one per finding the figures show, plus the standing one."""
    found = []
    late = f.late_self_checks
    if late:
        listed = "、".join(f"{r.name}（{r.self_check_late}条）" for r in late[:NAMES_SHOWN])
        more = f"等{len(late)}家" if len(late) > NAMES_SHOWN else ""
        text = (
            f"以下机构存在未按期自查的线索：{listed}{more}。请相关机构立即完成自查反馈，"
            "逾期仍未反馈或未提供证明材料的，依照责任追究办法第三十一条直接判定为不合理。"
        )
        found.append(("抓紧完成逾期自查", text))
    c = f.collection
    lagging = [] if c is None else c.named["late"] + c.named["missing"] + c.named["not_connected"]
    if lagging:
        text = (
            f"{names(lagging)}存在迟报、未报或未接入情况，请于次月10日前按时、完整上报数据，"
            "未接入的机构加快接入并完成对码。"
        )
        found.append(("按时完整上报数据", text))
    if f.cases.in_accountability:
        text = (
            f"本月尚有{f.cases.in_accountability}条查实问题处于责任追究阶段，相关机构应按责任追究通知"
            "落实院内处理并报送整改情况。"
        )
        found.append(("落实责任追究和整改", text))
    standing = "各单位要对推送的疑似问题线索100%开展自查，如实反馈，按期整改，确保线索闭环管理。"
    found.append(("持续做好线索闭环管理", standing))
    return found
