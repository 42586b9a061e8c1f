"""年度责任追究汇总 (.docx and .xlsx): per institution, the year's art. 16-25 situations and what was done.

Two tables, the same in both formats (the .xlsx has them on two sheets):
表1 情形 — per institution, the standing proposals per article 16-25 (seed 003) and their
total; 表2 处理与记分 — confirmed, of which 从轻减轻 / 免予追究 / 从重 (art. 12), still
待确认, the recorded 约谈 / 行政处罚 / 拒不落实 facts, and the year's penalty points
(institution, staff, staff scored). Both end with a 合计 row. The readings are
`reports.data.yearly`'s; every number comes from its `YearlyFigures`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sanjianguan.access.regions import office_name
from sanjianguan.reports.data.yearly import ACTIONS, ARTICLES, POINTS, YearlyFigures, YearlyRow
from sanjianguan.reports.document_file import DOCX, XLSX, DocumentFile
from sanjianguan.reports.official.document import OfficialDocument, chinese_numeral
from sanjianguan.reports.sheet import book_bytes, new_book, write_table

OFFERED = (DOCX, XLSX)
ACTION_ZH = {
    "confirmed": "已确认追责",
    "lighter": "其中从轻减轻",
    "exempted": "其中免予追究",
    "aggravated": "其中从重",
    "pending": "待确认",
    "interview": "约谈机构负责人",
    "admin_penalty": "行政处罚",
    "not_carried_out": "拒不落实追责",
}
POINTS_ZH = {
    "institution_points": "机构记分",
    "staff_points": "医务人员记分",
    "staff_scored": "被记分医务人员人数",
}
SITUATION_HEADERS = ("序号", "医疗机构", *(f"第{chinese_numeral(int(a))}条" for a in ARTICLES), "情形合计")
ACTION_HEADERS = ("序号", "医疗机构", *(ACTION_ZH[a] for a in ACTIONS), *(POINTS_ZH[p] for p in POINTS))
Row = list[str | int | None]


def situation_rows(figures: YearlyFigures) -> list[Row]:
    """表1's rows, 合计 last."""

    def cells(n: str | int, row: YearlyRow) -> Row:
        return [n, row.name, *(row.situations[a] for a in ARTICLES), row.situations_total]

    return [cells(i, r) for i, r in enumerate(figures.rows, 1)] + [cells("合计", figures.total)]


def action_rows(figures: YearlyFigures) -> list[Row]:
    """表2's rows, 合计 last."""

    def cells(n: str | int, row: YearlyRow) -> Row:
        return [n, row.name, *(row.actions[a] for a in ACTIONS), *(row.points[p] for p in POINTS)]

    return [cells(i, r) for i, r in enumerate(figures.rows, 1)] + [cells("合计", figures.total)]


def title_of(figures: YearlyFigures) -> str:
    gap = " " if figures.region_name[-1:].isdigit() else ""  # a code for a name: keep it apart from the year
    return f"{figures.region_name}{gap}{figures.year}年度医疗“三监管”责任追究情况汇总表"


NOTES = (
    "情形：当年责任追究阶梯提出且未被驳回、未撤回的追责建议（待确认或已确认），按《责任追究办法》条款计；"
    "一项建议为一个对象在一个计数窗口满足一行条件（第三十四条计次）。",
    "处理：已确认的建议（其中从轻减轻、免予追究、从重见第十二条）与待确认的建议；"
    "约谈、行政处罚、拒不落实为当年登记的追责事实（按发生日期）。记分：当年审批、未撤销的记分，免予记分计0分。",
)


def yearly_document(figures: YearlyFigures, *, day: date) -> DocumentFile:
    """The summary as .docx (landscape: the tables are wide)."""
    doc = OfficialDocument(landscape=True)
    doc.title(title_of(figures))
    t = figures.total
    doc.paragraph(
        f"{figures.year}年，{figures.region_name}（{figures.region_code}）共有 {len(figures.rows)} 家医疗机构"
        f"涉及责任追究情形或记分：情形 {t.situations_total} 项，已确认追责 {t.actions['confirmed']} 项，"
        f"待确认 {t.actions['pending']} 项；约谈机构负责人 {t.actions['interview']} 次，"
        f"行政处罚 {t.actions['admin_penalty']} 次；机构记分 {t.points['institution_points']} 分，"
        f"医务人员记分 {t.points['staff_points']} 分（{t.points['staff_scored']} 人）。"
    )
    for note in NOTES:
        doc.paragraph(note)
    doc.caption("表1 责任追究情形（第十六条至第二十五条）")
    _table(doc, SITUATION_HEADERS, situation_rows(figures), name_cm=4.5)
    doc.caption("表2 处理与记分情况")
    _table(doc, ACTION_HEADERS, action_rows(figures), name_cm=4.5)
    doc.signature(office_name(figures.region_name), day)
    return DocumentFile(doc.to_bytes(), f"{_stem(figures)}.docx", DOCX)


def _table(doc: OfficialDocument, headers: Sequence[str], rows: list[Row], *, name_cm: float) -> None:
    rest = len(headers) - 2
    width = (24.3 - 1.2 - name_cm) / rest
    numeric = (False, False, *([True] * rest))
    doc.table(headers, rows, numeric=numeric, widths_cm=(1.2, name_cm, *([width] * rest)))


def yearly_workbook(figures: YearlyFigures) -> DocumentFile:
    """The summary as .xlsx: sheet 情形 (表1) and sheet 处理与记分 (表2)."""
    book, sheet = new_book("情形")
    notes = [f"行政区划：{figures.region_code}　年度：{figures.year}", *NOTES]
    widths = (8, 30, *([9] * (len(SITUATION_HEADERS) - 2)))
    write_table(
        sheet,
        title=title_of(figures),
        notes=notes,
        headers=SITUATION_HEADERS,
        rows=situation_rows(figures),
        widths=widths,
    )
    second = book.create_sheet("处理与记分")
    widths = (8, 30, *([12] * (len(ACTION_HEADERS) - 2)))
    write_table(
        second,
        title=title_of(figures),
        notes=notes,
        headers=ACTION_HEADERS,
        rows=action_rows(figures),
        widths=widths,
    )
    return DocumentFile(book_bytes(book), f"{_stem(figures)}.xlsx", XLSX)


def yearly_file(figures: YearlyFigures, fmt: str, *, day: date) -> DocumentFile:
    """The summary in `fmt` (`OFFERED`)."""
    return yearly_workbook(figures) if fmt == XLSX else yearly_document(figures, day=day)


def _stem(figures: YearlyFigures) -> str:
    return f"年度责任追究汇总 {figures.region_name} {figures.year}"
