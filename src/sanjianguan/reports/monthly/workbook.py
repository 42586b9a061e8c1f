"""工作月报 / 工作通报 as .xlsx: one sheet per table (the same tables as the Word document).

Each sheet: the document's title and the table's caption on top, the headers, then the
rows; numbers stay numbers (counts as integers, yuan with two decimals, rates as
percentages) so an office can sum and chart them. A first sheet 说明 names the region,
month, issuer and the date the figures were read.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from sanjianguan.reports.data.monthly import MonthlyFigures
from sanjianguan.reports.monthly.tables import Cell, Rate, ReportTable
from sanjianguan.reports.official.document import chinese_date
from sanjianguan.reports.sheet import fit_to_page_width

HEADER_ROW = 3  # title (1), caption (2), headers (3), rows from 4
MONEY = "#,##0.00"
PERCENT = "0.0%"


def build(f: MonthlyFigures, title: str, tables: Sequence[ReportTable], notes: Sequence[str] = ()) -> bytes:
    book = Workbook()
    about = book.active
    assert about is not None
    about.title = "说明"
    _about(about, f, title, notes)
    for table in tables:
        _sheet(book.create_sheet(sheet_name(table)), title, table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_name(table: ReportTable) -> str:
    """The sheet of a table: its caption without the number (表3 疑似… → 疑似…), at most 31 characters."""
    name = table.caption.split(" ", 1)[-1]
    for char in "[]:*?/\\":
        name = name.replace(char, "")
    return name[:31]


def _about(sheet: Worksheet, f: MonthlyFigures, title: str, notes: Sequence[str]) -> None:
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=14)
    lines = [
        ("发文机关", f.issuer),
        ("辖区", f"{f.region_code} {f.region_name}"),
        ("结算月", f.period),
        ("取数日期", chinese_date(f.today)),
    ]
    for row, (label, value) in enumerate(lines, start=3):
        sheet.cell(row=row, column=1, value=label).font = Font(bold=True)
        sheet.cell(row=row, column=2, value=value)
    for row, note in enumerate(notes, start=len(lines) + 4):
        sheet.cell(row=row, column=1, value=note)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 60
    fit_to_page_width(sheet, landscape=False)


def _sheet(sheet: Worksheet, title: str, table: ReportTable) -> None:
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = table.caption
    sheet["A2"].font = Font(bold=True)
    for column, header in enumerate(table.headers, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for r, row in enumerate(table.rows, start=HEADER_ROW + 1):
        for column, value in enumerate(row, start=1):
            _put(sheet, r, column, value)
    for column, header in enumerate(table.headers, start=1):
        width = 36 if column == 1 or header in ("机构", "规则") else 16
        sheet.column_dimensions[sheet.cell(row=HEADER_ROW, column=column).column_letter].width = width
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    fit_to_page_width(sheet)


def _put(sheet: Worksheet, row: int, column: int, value: Cell) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, Rate):
        cell.value = value.value
        cell.number_format = PERCENT
    elif isinstance(value, Decimal):
        cell.value = float(value)
        cell.number_format = MONEY
    else:
        cell.value = value
