"""线索导出: every row of the filter, read back from the workbook; identities only for those who see them."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from sanjianguan.clues.queries import ClueFilter, ClueOrder
from sanjianguan.clues.rulebook import RuleBook
from sanjianguan.errors import InvalidInputError
from sanjianguan.reports.clue_export import SHEET, export_clues, to_xlsx
from sanjianguan.workflow_db.models import Clue, User
from tests.workflow_db.fixtures import sample_clue, seed_org

TODAY = date(2026, 3, 16)


@pytest.fixture
def users(session: Session) -> dict[str, User]:
    org = seed_org(session)
    for i in range(4, 9):
        clue = sample_clue(f"c{i}", "H1", "511502")
        clue.amount_involved = Decimal(f"{i}000.05")
        clue.event_date = date(2026, 2, i)
        session.add(clue)
    session.commit()
    return org.users


def _read(data: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [SHEET]
    return [list(row) for row in book[SHEET].iter_rows(values_only=True)]


def test_every_row_of_the_filter_with_numbers_and_dates(session: Session, users: dict[str, User]) -> None:
    book = RuleBook.for_home(None)
    where = ClueFilter(period="2026-02")
    order = ClueOrder("amount_involved", descending=True)
    export = export_clues(session, users["county"], book, where, order=order, today=TODAY, max_rows=50)
    rows = _read(to_xlsx(export))
    assert rows[0][0] == "线索列表（结算月 2026-02，共 6 条）"
    headers = rows[1]
    assert headers[:2] == ["线索编号", "结算月"]
    assert "机构名称" in headers
    assert "患者编号（脱敏）" in headers
    body = [dict(zip(headers, row, strict=True)) for row in rows[2:]]
    assert [r["线索编号"] for r in body] == ["c8", "c7", "c6", "c5", "c4", "c1"]  # c2, c3: other counties
    first = body[0]
    assert first["涉及金额（元）"] == pytest.approx(8000.05)
    assert isinstance(first["涉及金额（元）"], float)  # a number, not text
    assert first["发生日期"].date() == date(2026, 2, 8)
    assert first["机构名称"] == "H1 医院"
    assert first["患者编号（脱敏）"] == "PAT-c8"  # as the API gives it (stored pseudonymised)
    assert first["状态"] == "已生成"
    assert first["规则编号"] == "R-DUP-01"


def test_an_expert_gets_no_identity(session: Session, users: dict[str, User]) -> None:
    export = export_clues(
        session, users["expert"], RuleBook.for_home(None), ClueFilter(), today=TODAY, max_rows=50
    )
    rows = _read(to_xlsx(export))
    assert [row[0] for row in rows[2:]] == ["c2"]
    flat = " ".join(str(cell) for row in rows for cell in row)
    for secret in ("H2", "医院", "PAT-", "DOC-", "DEPT-"):
        assert secret not in flat
    assert "机构名称" not in rows[1]


def test_more_rows_than_the_limit_are_refused(session: Session, users: dict[str, User]) -> None:
    with pytest.raises(InvalidInputError) as caught:
        export_clues(session, users["city"], RuleBook.for_home(None), ClueFilter(), today=TODAY, max_rows=5)
    assert caught.value.code == "export_too_large"
    assert "共 7 条" in caught.value.message_zh
    assert "上限 5 条" in caught.value.message_zh
    ok = export_clues(session, users["city"], RuleBook.for_home(None), ClueFilter(), today=TODAY, max_rows=7)
    assert len(ok.rows) == 7
    assert session.get(Clue, "c1") is not None
