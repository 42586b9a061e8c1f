"""A plain official table as a worksheet (.xlsx): title, notes, headed columns, a 合计 row.

Shared by the tallies' workbooks (附件5, 年度责任追究汇总): 宋体 text, 黑体 title, thin
borders, numbers right-aligned as numbers (not text) so that the office can sum them again.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FONT = "宋体"
TITLE_FONT = "黑体"
_thin = Side(style="thin", color="808080")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEAD_FILL = PatternFill("solid", fgColor="EDEDED")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="center", wrap_text=True)
Cell = str | int | float | None


def write_table(
    sheet: Worksheet,
    *,
    title: str,
    notes: Sequence[str],
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[float],
) -> int:
    """Fill `sheet`; returns the row number of the column headings (the data start below it)."""
    last = get_column_letter(len(headers))
    sheet.append([title])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(name=TITLE_FONT, size=16)
    sheet["A1"].alignment = CENTER
    sheet.row_dimensions[1].height = 32
    for note in notes:
        sheet.append([note])
        row = sheet.max_row
        sheet.merge_cells(f"A{row}:{last}{row}")
        sheet.cell(row, 1).font = Font(name=FONT, size=10)
        sheet.cell(row, 1).alignment = WRAP
    sheet.append(list(headers))
    head = int(sheet.max_row)
    for col in range(1, len(headers) + 1):
        cell = sheet.cell(head, col)
        cell.font, cell.fill, cell.border, cell.alignment = (
            Font(name=FONT, bold=True),
            HEAD_FILL,
            BORDER,
            CENTER,
        )
    for values in rows:
        sheet.append(list(values))
        for col in range(1, len(headers) + 1):
            cell = sheet.cell(sheet.max_row, col)
            cell.font, cell.border = Font(name=FONT, bold=values[0] == "合计"), BORDER
            cell.alignment = CENTER if isinstance(cell.value, int | float) else WRAP
    for col, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = sheet.cell(head + 1, 1)
    sheet.print_title_rows = f"{head}:{head}"
    fit_to_page_width(sheet)
    return head


def fit_to_page_width(sheet: Worksheet, *, landscape: bool = True) -> None:
    """Print on A4, every column on the page's width (as many pages down as needed)."""
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def new_book(sheet_title: str) -> tuple[Workbook, Worksheet]:
    """A workbook whose one sheet is named `sheet_title`."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_title
    return book, sheet


def book_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
