"""线索导出: the clues of a list filter as an .xlsx workbook, every row of the filter, not one page.

`export_clues` reads the rows with the clue list's own query (`clues.queries.list_clues`:
the same jurisdiction scope, filters and order as the page and `GET /api/v1/clues`) and
shows each clue as the API shows it to that user: users who see identities get the
institution, department, doctor and the (pseudonymised) patient id as stored; an expert
gets none of them (双盲). More rows than `max_rows` (`[web] export_max_rows`) are refused
before anything is built. `to_xlsx` writes the workbook: a title row, Chinese headers,
amounts as numbers (two decimals), dates as dates.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import sees_identities
from sanjianguan.cases.deadlines import self_check_dues
from sanjianguan.cases.states import STATUS_ZH, ClueStatus
from sanjianguan.clues.queries import BY_ID, ClueFilter, ClueOrder, list_clues
from sanjianguan.clues.rulebook import RuleBook
from sanjianguan.errors import InvalidInputError
from sanjianguan.workflow_db.models import Clue, Institution, User

SHEET = "线索列表"
COMMON = ("线索编号", "结算月", "规则编号", "规则名称", "类别", "级别")
IDENTITY = ("机构编码", "机构名称", "科室", "医生编码", "患者编号（脱敏）")
TAIL = ("发生日期", "涉及金额（元）", "状态", "自查期限")
CHUNK = 1000  # ids per IN (...) list: far below every backend's parameter limit
Cell = str | date | Decimal | None


@dataclass(frozen=True)
class ClueExport:
    """The rows of one export: title, headers, and one tuple of cells per clue."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def export_clues(
    session: Session,
    user: User,
    rules: RuleBook,
    where: ClueFilter,
    *,
    order: ClueOrder = BY_ID,
    today: date,
    max_rows: int,
) -> ClueExport:
    """Every clue of `where` that `user` may see, as export rows (InvalidInputError above `max_rows`)."""
    page = list_clues(session, user, where, limit=max_rows + 1, offset=0, order=order)
    if len(page.items) > max_rows:
        raise InvalidInputError(
            f"符合条件的线索共 {page.total} 条，超过导出上限 {max_rows} 条，"
            "请缩小筛选范围（如按结算月、状态）",
            f"{page.total} clues match, more than the export limit of {max_rows}: narrow the filter",
            code="export_too_large",
        )
    identities = sees_identities(user)
    names = _institution_names(session, page.items) if identities else {}
    dues = _dues(session, user, [clue.id for clue in page.items], today)
    rows = [_row(clue, rules, names, dues.get(clue.id), identities=identities) for clue in page.items]
    headers = COMMON + (IDENTITY if identities else ()) + TAIL
    title = f"线索列表（结算月 {where.period or '全部'}，共 {len(rows)} 条）"
    return ClueExport(title, headers, rows)


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _institution_names(session: Session, clues: Sequence[Clue]) -> dict[str, str]:
    ids = sorted({clue.institution_id for clue in clues})
    names: dict[str, str] = {}
    for part in _chunks(ids):
        rows = session.execute(select(Institution.id, Institution.name).where(Institution.id.in_(part)))
        names.update({str(ident): str(name or "") for ident, name in rows})
    return names


def _dues(session: Session, user: User, ids: Sequence[str], today: date) -> dict[str, date]:
    found: dict[str, date] = {}
    for part in _chunks(ids):
        found.update({key: due.due_on for key, due in self_check_dues(session, user, part, today).items()})
    return found


def _row(
    clue: Clue, rules: RuleBook, names: dict[str, str], due: date | None, *, identities: bool
) -> tuple[Cell, ...]:
    info = rules.get(clue.rule_id)
    category = info.category.label_zh if info and info.category else ("指标线索" if info else "")
    grade = info.grade.label_zh if info and info.grade else None
    head: tuple[Cell, ...] = (
        clue.id,
        clue.period,
        clue.rule_id,
        info.name_zh if info else None,
        category,
        grade,
    )
    who: tuple[Cell, ...] = (
        (
            clue.institution_id,
            names.get(clue.institution_id),
            clue.department,
            clue.doctor_id,
            clue.patient_id,
        )
        if identities
        else ()
    )
    return head + who + (clue.event_date, clue.amount_involved, STATUS_ZH[ClueStatus(clue.status)], due)


def to_xlsx(export: ClueExport) -> bytes:
    """The workbook: the title in row 1, headers in row 2 (frozen), one clue per row below."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=False)
    sheet: Any = book.active
    sheet.title = SHEET
    sheet.append([export.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(export.headers))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    formats = {i: _format(name) for i, name in enumerate(export.headers, 1)}
    for row in export.rows:
        sheet.append(list(row))
    for index, number_format in formats.items():
        if number_format is None:
            continue
        for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
            cell.number_format = number_format
    for index, name in enumerate(export.headers, 1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(name) * 2 + 2)
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _format(header: str) -> str | None:
    if header.startswith("涉及金额"):
        return "#,##0.00"
    if header in ("发生日期", "自查期限"):
        return "yyyy-mm-dd"
    return None
