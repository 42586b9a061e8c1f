"""Writes self-check profiles as the form's workbook (.xlsx): a summary sheet and one sheet per institution.

Each institution sheet follows the form: title, header line (名称/等级/经营性质), the
numbered items with their wording, value, unit and reading, then a footer with the
period, the data source and the generation time, and the signature lines. Blanks the
data cannot answer are left empty, shaded and marked （需机构填报）. A hidden column
(F on institution sheets, row 3 on the summary) holds each figure's id for machine reading.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sanjianguan.reports.selfcheck.form import (
    NUMBER_FORMATS,
    SIGNATURES,
    TO_FILL,
    Blank,
    Section,
    form_rows,
    title_for,
)
from sanjianguan.reports.selfcheck.profile import Profile
from sanjianguan.reports.sheet import fit_to_page_width

FONT = "宋体"
TITLE_FONT = "黑体"
SUMMARY_SHEET = "汇总"
NO_DENOMINATOR = "分母为0，无值 / no denominator"
HEADINGS = ("编号", "自查内容", "填报值", "单位", "口径说明 / reading", "figure_id")
WIDTHS = (16, 46, 16, 8, 60, 24)
FIRST_ITEM_ROW = 7  # below the title, the three header rows, a gap and the column headings

_thin = Side(style="thin", color="808080")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
TO_FILL_FILL = PatternFill("solid", fgColor="FFF2CC")
SECTION_FILL = PatternFill("solid", fgColor="D9E1F2")
HEAD_FILL = PatternFill("solid", fgColor="EDEDED")
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def period_text(label: str, months: Sequence[str] = ()) -> str:
    """The period as the form writes it, with the months that have data (数据覆盖) for a year.

    2025-03 → 2025年03月（结算月 2025-03）; 2025 with data in all twelve months (or
    `months` not given) → 2025年度（结算月 2025-01 至 2025-12）; 2025 with data in January
    to March only → 2025年度（结算月 2025-01 至 2025-03（数据覆盖 3 个月））.
    """
    if re.fullmatch(r"\d{4}", label):
        full = tuple(f"{label}-{m:02d}" for m in range(1, 13))
        covered = tuple(sorted(set(months)))
        if not covered or covered == full:
            return f"{label}年度（结算月 {label}-01 至 {label}-12）"
        return f"{label}年度（结算月 {coverage_text(covered)}）"
    return f"{label[:4]}年{label[5:]}月（结算月 {label}）"


def coverage_text(months: Sequence[str]) -> str:
    """2025-01 至 2025-03（数据覆盖 3 个月）; gaps list the months: …（数据覆盖 2 个月：2025-01、2025-03）."""
    first, last = months[0], months[-1]
    span = first if first == last else f"{first} 至 {last}"
    contiguous = _month_index(last) - _month_index(first) + 1 == len(months)
    listed = "" if contiguous else "：" + "、".join(months)
    return f"{span}（数据覆盖 {len(months)} 个月{listed}）"


def _month_index(period: str) -> int:
    return int(period[:4]) * 12 + int(period[5:7])


def footer_lines(period: str, source: str, generated_at: datetime, months: Sequence[str] = ()) -> list[str]:
    return [
        f"统计期间 / period：{period_text(period, months)}",
        f"数据来源 / data source：{source}",
        f"生成时间 / generated at：{generated_at:%Y-%m-%d %H:%M:%S}",
        f"标注“{TO_FILL}”的项目上传数据无法回答，由机构据实手工填写；其余数值由平台按口径自动计算。",
    ]


def write_workbook(profiles: Sequence[Profile], path: Path, *, source: str, generated_at: datetime) -> None:
    """Write the workbook to `path` (replaced whole: a failed write leaves no partial file)."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    _summary_sheet(summary, profiles, source, generated_at)
    titles: set[str] = {SUMMARY_SHEET}
    for profile in profiles:
        sheet = book.create_sheet(_sheet_title(profile.institution.institution_id, titles))
        _institution_sheet(sheet, profile, source, generated_at)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        book.save(temp)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def _sheet_title(institution_id: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", institution_id)[:31] or "机构"
    title, n = base, 1
    while title in taken:
        n += 1
        title = f"{base[: 31 - len(str(n)) - 1]}~{n}"
    taken.add(title)
    return title


def _style(sheet: Worksheet, row: int, col: int, *, bold: bool = False, align: Alignment = WRAP) -> None:
    cell = sheet.cell(row, col)
    cell.font = Font(name=FONT, size=11, bold=bold)
    cell.alignment = align
    cell.border = BORDER


def _title(sheet: Worksheet, text: str, last_col: int) -> None:
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    cell = sheet.cell(1, 1, text)
    cell.font = Font(name=TITLE_FONT, size=16, bold=True)
    cell.alignment = CENTER
    sheet.row_dimensions[1].height = 30


def _institution_sheet(sheet: Worksheet, profile: Profile, source: str, generated_at: datetime) -> None:
    head = profile.institution
    _title(sheet, title_for([head.level]), 5)
    header = (
        ("医疗机构名称", head.name, "机构编码", head.institution_id),
        ("医疗机构等级", head.level_text, "医疗机构经营性质", head.ownership or ""),
        ("统计期间", period_text(profile.period, profile.months), "填报说明", f"黄色单元格{TO_FILL}"),
    )
    for offset, (label_a, value_b, label_c, value_d) in enumerate(header):
        row = 2 + offset
        sheet.cell(row, 1, label_a)
        sheet.cell(row, 2, value_b)
        sheet.cell(row, 3, label_c)
        sheet.cell(row, 4, value_d)
        sheet.merge_cells(start_row=row, start_column=4, end_row=row, end_column=5)
        for col in (1, 2, 3, 4, 5):
            _style(sheet, row, col, bold=col in (1, 3))
    for col, text in enumerate(HEADINGS, start=1):
        sheet.cell(FIRST_ITEM_ROW - 1, col, text)
        _style(sheet, FIRST_ITEM_ROW - 1, col, bold=True, align=CENTER)
        sheet.cell(FIRST_ITEM_ROW - 1, col).fill = HEAD_FILL
    row = FIRST_ITEM_ROW
    for item in form_rows():
        if isinstance(item, Section):
            sheet.cell(row, 1, item.title)
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
            _style(sheet, row, 1, bold=True)
            sheet.cell(row, 1).fill = SECTION_FILL
        else:
            _blank_row(sheet, row, item, profile)
        row += 1
    row += 1
    for line in footer_lines(profile.period, source, generated_at, profile.months):
        sheet.cell(row, 1, line).font = Font(name=FONT, size=10, italic=True)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        sheet.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[row].height = 28
        row += 1
    row += 1
    for label in SIGNATURES:
        sheet.cell(row, 2, label)
        sheet.cell(row, 5, TO_FILL)
        for col in (2, 3, 4, 5):
            _style(sheet, row, col, bold=col == 2)
        sheet.cell(row, 3).fill = TO_FILL_FILL
        sheet.row_dimensions[row].height = 24
        row += 1
    _layout(
        sheet, WIDTHS, freeze=f"A{FIRST_ITEM_ROW}", print_rows=f"{FIRST_ITEM_ROW - 1}:{FIRST_ITEM_ROW - 1}"
    )
    sheet.column_dimensions["F"].hidden = True


def _blank_row(sheet: Worksheet, row: int, blank: Blank, profile: Profile) -> None:
    sheet.cell(row, 1, blank.item)
    sheet.cell(row, 2, blank.label)
    sheet.cell(row, 4, blank.unit)
    value_cell = sheet.cell(row, 3)
    if blank.key is None:
        reading = f"{TO_FILL} {blank.reading}".strip()
        value_cell.fill = TO_FILL_FILL
    else:
        value = profile.values.get(blank.key)
        value_cell.value = value
        value_cell.number_format = NUMBER_FORMATS[blank.kind]
        reading = blank.reading if value is not None else f"{NO_DENOMINATOR}；{blank.reading}"
        sheet.cell(row, 6, blank.key)
    sheet.cell(row, 5, reading)
    for col in range(1, 7):
        _style(sheet, row, col, bold=col == 1)
    value_cell.alignment = Alignment(horizontal="right", vertical="center")


def _summary_columns() -> list[tuple[str, Blank]]:
    """(column heading, blank) of every computed figure, the item number carried down."""
    columns: list[tuple[str, Blank]] = []
    item = ""
    for row in form_rows():
        if isinstance(row, Section):
            item = ""
            continue
        item = row.item or item
        if row.key is not None:
            unit = f"（{row.unit}）" if row.unit else ""
            columns.append((f"{item} {row.label}{unit}".strip(), row))
    return columns


SUMMARY_HEAD = ("机构编码", "医疗机构名称", "医疗机构等级", "医疗机构经营性质")


def _summary_sheet(
    sheet: Worksheet, profiles: Sequence[Profile], source: str, generated_at: datetime
) -> None:
    sheet.title = SUMMARY_SHEET
    columns = _summary_columns()
    last = len(SUMMARY_HEAD) + len(columns)
    period = profiles[0].period if profiles else ""
    months = sorted({m for p in profiles for m in p.months})
    title = title_for([p.institution.level for p in profiles])
    _title(sheet, f"{title} — 汇总 {period_text(period, months)}" if period else title, min(last, 12))
    for col, text in enumerate([*SUMMARY_HEAD, *(h for h, _ in columns)], start=1):
        sheet.cell(2, col, text)
        _style(sheet, 2, col, bold=True, align=CENTER)
        sheet.cell(2, col).fill = HEAD_FILL
    for col, (_, blank) in enumerate(columns, start=len(SUMMARY_HEAD) + 1):
        sheet.cell(3, col, blank.key)
    sheet.row_dimensions[2].height = 60
    sheet.row_dimensions[3].hidden = True
    for row, profile in enumerate(profiles, start=4):
        head = profile.institution
        for col, text in enumerate(
            (head.institution_id, head.name, head.level_text, head.ownership or ""), 1
        ):
            sheet.cell(row, col, text)
            _style(sheet, row, col)
        for col, (_, blank) in enumerate(columns, start=len(SUMMARY_HEAD) + 1):
            cell = sheet.cell(row, col, profile.values.get(str(blank.key)))
            cell.number_format = NUMBER_FORMATS[blank.kind]
            _style(sheet, row, col, align=Alignment(horizontal="right", vertical="center"))
    row = len(profiles) + 5
    for line in footer_lines(period, source, generated_at, months):
        sheet.cell(row, 1, line).font = Font(name=FONT, size=10, italic=True)
        row += 1
    widths = (16, 30, 12, 12, *(14 for _ in columns))
    _layout(sheet, widths, freeze="E4", print_rows="2:2")


def _layout(sheet: Worksheet, widths: Sequence[int], *, freeze: str, print_rows: str) -> None:
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = freeze
    sheet.print_title_rows = print_rows
    fit_to_page_width(sheet, landscape=False)
