"""季度公示表 (seed 001 附件5) as .xlsx: the public page's list of one region and quarter.

The seed names the attachment (医疗机构及医务人员不良执业行为记分情况) but not its
columns; they are the public page's (`/public/disclosure`), so the workbook and the page
hold the same rows: 序号, 医疗机构, 机构记分次数, 机构记分分值, 被记分医务人员人数,
医务人员记分分值, then a 合计 row. Staff appear as counts, never by name (the page's rule).
An office's preview of a quarter not yet published says so in its title and notes.
"""

from __future__ import annotations

from sanjianguan.reports.data.disclosure import COLUMNS, DisclosureFigures
from sanjianguan.reports.document_file import XLSX, DocumentFile
from sanjianguan.reports.sheet import book_bytes, new_book, write_table

HEADERS = ("序号", "医疗机构", "机构记分次数", "机构记分分值", "被记分医务人员人数", "医务人员记分分值")
WIDTHS = (8, 36, 14, 14, 20, 18)
OFFERED = (XLSX,)


def quarter_zh(quarter: str) -> str:
    """2026-Q1 → 2026年第一季度."""
    year, q = quarter.split("-Q")
    return f"{year}年第{'一二三四'[int(q) - 1]}季度"


def title_of(figures: DisclosureFigures) -> str:
    draft = "" if figures.published else "（未公示·预览）"
    when = quarter_zh(figures.quarter)
    return f"{figures.region_name}医疗机构及医务人员不良执业行为记分情况公示（{when}）{draft}"


def _notes(figures: DisclosureFigures) -> list[str]:
    if figures.published:
        late = "（逾期公示）" if figures.late else ""
        state = f"公示日期：{figures.published_on}{late}。与公示页 /public/disclosure 所列一致。"
    else:
        state = "本季度尚未公示：此为办公室预览（按当前已登记的最终记分计算），公示后以公示内容为准。"
    reading = (
        "口径：本季度内审批、已由办公室登记、未撤销、无待决申诉、不属免予记分的记分；"
        "医务人员只列人数与分值，不公示身份。"
    )
    return [f"行政区划：{figures.region_code}　{state}", reading]


def disclosure_workbook(figures: DisclosureFigures) -> DocumentFile:
    """附件5 of `figures` as an .xlsx DocumentFile."""
    book, sheet = new_book("附件5")
    rows: list[list[str | int | None]] = [
        [n, row.institution_name, *(int(getattr(row, c)) for c in COLUMNS)]
        for n, row in enumerate(figures.rows, 1)
    ]
    rows.append(["合计", f"{len(figures.rows)} 家机构", *(figures.total(c) for c in COLUMNS)])
    write_table(
        sheet, title=title_of(figures), notes=_notes(figures), headers=HEADERS, rows=rows, widths=WIDTHS
    )
    draft = "" if figures.published else "（预览）"
    name = f"附件5 记分情况公示 {figures.region_name} {figures.quarter}{draft}.xlsx"
    return DocumentFile(book_bytes(book), name, XLSX)
