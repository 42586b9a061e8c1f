"""Reading the tallies' documents back: workbook rows, Word tables, a user by name, the API's error."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from sanjianguan.reports.official.document import table_texts
from sanjianguan.workflow_db.connection import Database
from sanjianguan.workflow_db.models import User


def sheet_rows(content: bytes, sheet: str | None = None) -> list[tuple[Any, ...]]:
    """Every row of a sheet (the first unless named), as values."""
    book = load_workbook(io.BytesIO(content))
    ws = book[sheet] if sheet else book.worksheets[0]
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def table_after(rows: list[tuple[Any, ...]], first: str) -> list[tuple[Any, ...]]:
    """The rows below the header row whose first cell is `first`."""
    start = next(i for i, row in enumerate(rows) if row[0] == first)
    return rows[start + 1 :]


def word_tables(content: bytes) -> list[list[list[str]]]:
    return [table_texts(t) for t in Document(io.BytesIO(content)).tables]


def word_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def user(database: Database, name: str) -> User:
    with database.sessions() as s:
        found = s.scalars(select(User).where(User.username == name)).one()
        s.expunge(found)
        return found


def error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert detail["code"] == code, detail
    assert detail["message_en"].strip()
    assert any("\u4e00" <= c <= "\u9fff" for c in detail["message_zh"])
