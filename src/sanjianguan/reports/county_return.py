"""县区月报 附件1 (two tables) as .docx (the seed's format) and .xlsx, from `county_return_figures`.

The Word file is a landscape official document: "附件1" flush left, the title, the
county and the months (历月累计), 表1 and 表2 as real Word tables with their 合计 rows,
then 填报单位（盖章） and the signature block (填报人、审核人、负责人、联系电话、填报日期).
The workbook holds the same two tables on two sheets, with header rows, number formats
(integers, yuan with two decimals) and the signature rows at the bottom. Every number
comes from the figures; nothing is typed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sanjianguan.access.regions import office_name
from sanjianguan.reports.data.county_return import ActionRow, ClueRow, CountyReturn
from sanjianguan.reports.document_file import DOCX, XLSX, DocumentFile
from sanjianguan.reports.official.document import BODY_PT, OfficialDocument, chinese_date, set_font

OFFERED = (DOCX, XLSX)
ATTACHMENT = "附件1"
SIGNATURES = ("填报人", "审核人", "负责人", "联系电话", "填报日期")


@dataclass(frozen=True)
class Column:
    """One column of a table: its header, the row attribute it shows, money or a count."""

    header: str
    attr: str
    money: bool = False


CLUE_COLUMNS: tuple[Column, ...] = (
    Column("接收线索（条）", "received"),
    Column("已自查（条）", "self_checked"),
    Column("按期自查（条）", "on_time"),
    Column("自查属实（条）", "self_confirmed"),
    Column("抽中核实（条）", "sampled"),
    Column("已核实（条）", "verified"),
    Column("已认定（条）", "decided"),
    Column("认定不合理（条）", "unreasonable"),
    Column("涉及金额（元）", "amount_involved", money=True),
    Column("认定金额（元）", "amount_confirmed", money=True),
    Column("已办结（条）", "closed"),
    Column("申诉（条）", "appealed"),
)
ACTION_COLUMNS: tuple[Column, ...] = (
    Column("追责合计（次）", "confirmed"),
    Column("院内处理", "internal"),
    Column("提醒干预", "reminder"),
    Column("责令限期改正", "correction"),
    Column("约谈", "interview"),
    Column("通报", "bulletin"),
    Column("其他", "other"),
    Column("行政处罚", "admin_penalty"),
    Column("机构记分（分）", "institution_points"),
    Column("医务人员记分（人次）", "staff_scored"),
    Column("医务人员记分（分）", "staff_points"),
    Column("移送案件（件）", "referred"),
    Column("整改完成（条）", "rectified"),
)
TABLE1 = "表1 线索核查情况"
TABLE2 = "表2 责任追究及记分情况"
NAME_HEADER = "机构名称"


def title(figures: CountyReturn) -> str:
    return f"{figures.region_name}医疗“三监管”线索核查及责任追究情况统计表"


def months_text(figures: CountyReturn) -> str:
    return (
        f"统计期间：{figures.first_month} 至 {figures.period}（历月累计，截至 {chinese_date(figures.as_of)}）"
        f"　　报送期限：{chinese_date(figures.due_on)}前"
    )


def cells(row: ClueRow | ActionRow, columns: Sequence[Column]) -> list[object]:
    """A row's values in column order, the institution's name first."""
    return [row.name, *(getattr(row, c.attr) for c in columns)]


def shown(value: object) -> str:
    """A value as the Word table shows it (money with two decimals and thousands separators)."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def county_return_document(figures: CountyReturn, fmt: str, *, generated_on: date) -> DocumentFile:
    """The return as `fmt` (.docx or .xlsx)."""
    base = f"{figures.region_name}县区月报附件1_{figures.period}"
    if fmt == XLSX:
        return DocumentFile(workbook(figures, generated_on), f"{base}.xlsx", XLSX)
    return DocumentFile(word(figures, generated_on), f"{base}.docx", DOCX)


def word(figures: CountyReturn, generated_on: date) -> bytes:
    doc = OfficialDocument(landscape=True)
    _attachment_mark(doc)
    doc.title(title(figures))
    doc.caption(months_text(figures))
    for caption, columns, rows, total in (
        (TABLE1, CLUE_COLUMNS, figures.clues, figures.clue_total),
        (TABLE2, ACTION_COLUMNS, figures.actions, figures.action_total),
    ):
        doc.caption(caption)
        body = [[shown(v) for v in cells(r, columns)] for r in [*rows, total]]
        width = (24.0 - 4.2) / len(columns)
        doc.table(
            [NAME_HEADER, *(c.header for c in columns)],
            body,
            numeric=[False, *([True] * len(columns))],
            widths_cm=[4.2, *([width] * len(columns))],
        )
    doc.paragraph(f"填报单位（盖章）：{office_name(figures.region_name)}")
    doc.signature_block(SIGNATURES)
    doc.caption(f"生成日期：{chinese_date(generated_on)}（由系统按流程数据生成）")
    return doc.to_bytes()


def _attachment_mark(doc: OfficialDocument) -> None:
    """ "附件1" flush left in 黑体 三号, above the title (GB/T 9704: 附件 on the attachment's first line)."""
    set_font(doc.doc.add_paragraph().add_run(ATTACHMENT), doc.fonts.heading, BODY_PT)


_thin = Side(style="thin", color="808080")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEADER_ROW = 4  # title, months, blank, then the headers
MONEY = "#,##0.00"
COUNT = "0"


def workbook(figures: CountyReturn, generated_on: date) -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "表1"
    _sheet(first, figures, TABLE1, CLUE_COLUMNS, [*figures.clues, figures.clue_total], generated_on)
    _sheet(
        book.create_sheet("表2"),
        figures,
        TABLE2,
        ACTION_COLUMNS,
        [*figures.actions, figures.action_total],
        generated_on,
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(
    sheet: Worksheet,
    figures: CountyReturn,
    caption: str,
    columns: Sequence[Column],
    rows: Sequence[ClueRow | ActionRow],
    generated_on: date,
) -> None:
    last = get_column_letter(len(columns) + 1)
    sheet["A1"] = f"{ATTACHMENT}　{title(figures)}　{caption}"
    sheet["A1"].font = Font(name="黑体", size=14, bold=True)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = months_text(figures)
    sheet.merge_cells(f"A2:{last}2")
    for i, header in enumerate([NAME_HEADER, *(c.header for c in columns)], start=1):
        cell = sheet.cell(HEADER_ROW, i, header)
        cell.font, cell.alignment, cell.border = Font(name="宋体", bold=True), CENTER, BORDER
        sheet.column_dimensions[get_column_letter(i)].width = 28 if i == 1 else 13
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        for i, value in enumerate(cells(row, columns), start=1):
            cell = sheet.cell(r, i, value)
            cell.border = BORDER
            if i > 1:
                cell.number_format = MONEY if columns[i - 2].money else COUNT
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 2)
    bottom = HEADER_ROW + len(rows) + 2
    sheet.cell(bottom, 1, f"填报单位（盖章）：{office_name(figures.region_name)}")
    for i, label in enumerate(SIGNATURES):
        sheet.cell(bottom + 1, 1 + i * 2, f"{label}：")
    sheet.cell(bottom + 2, 1, f"生成日期：{generated_on.isoformat()}（由系统按流程数据生成）")
