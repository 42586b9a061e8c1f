"""县区月报 附件1: the figures (cumulative since January, as of the month's end), both documents
read back against them, the refusals, the scope, and LibreOffice opening both files."""

from __future__ import annotations

import io
from dataclasses import fields
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from sanjianguan.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from sanjianguan.reports.county_return import (
    ACTION_COLUMNS,
    CLUE_COLUMNS,
    SIGNATURES,
    county_return_document,
    shown,
)
from sanjianguan.reports.data.county_return import ClueRow, CountyReturn, county_return_figures
from sanjianguan.reports.data.county_return_actions import action_type
from sanjianguan.reports.document_file import DOCX, XLSX
from sanjianguan.reports.official.document import table_texts
from tests.cases.harness import Harness
from tests.reports.office import pdf_pages, to_pdf

TODAY = date(2026, 4, 11)


def figures(h: Harness, user: str = "county", period: str = "2026-03", today: date = TODAY) -> CountyReturn:
    with h.database.sessions() as session:
        return county_return_figures(session, h.user(session, user), "511502", period, today=today)


@pytest.fixture(scope="module")
def march(county_world: Harness) -> CountyReturn:
    return figures(county_world)


@pytest.fixture(scope="module")
def files(march: CountyReturn, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("county-docs")
    out = {}
    for fmt in (DOCX, XLSX):
        document = county_return_document(march, fmt, generated_on=TODAY)
        out[fmt] = folder / document.filename
        out[fmt].write_bytes(document.content)
    return out


def by_id(rows: list[ClueRow]) -> dict[str, ClueRow]:
    return {r.institution_id: r for r in rows}


def test_cumulative_since_january_as_of_the_months_end(march: CountyReturn) -> None:
    """H1: j1, j2 (January) and c1 (February) received; m1 was pushed on 10 April (after March
    ended) and n1 is next year's: neither counts. Nothing of the other county (H2)."""
    rows = by_id(march.clues)
    assert set(rows) == {"H1", "H4"}
    assert (rows["H1"].received, rows["H4"].received, march.clue_total.received) == (3, 1, 4)
    assert rows["H1"].amount_involved == Decimal("1234.56") * 3
    assert (march.clue_total.self_checked, march.clue_total.on_time, march.clue_total.self_confirmed) == (
        3,
        3,
        2,
    )
    assert (march.clue_total.sampled, march.clue_total.verified) == (1, 1)
    assert (march.clue_total.decided, march.clue_total.unreasonable) == (3, 2)
    assert march.clue_total.amount_confirmed == Decimal("1234.56") * 2
    assert (march.first_month, march.period, march.due_on) == ("2026-01", "2026-03", date(2026, 4, 10))


def test_a_month_counts_only_what_had_happened_by_its_end(county_world: Harness) -> None:
    """January's return (as of 31 January): its clues were pushed on 16 February, none received
    yet, so no return (never an all-zero one); 2025 has no clue at all."""
    for period in ("2025-12", "2026-01"):
        with pytest.raises(InvalidInputError) as refused:
            figures(county_world, period=period)
        assert refused.value.code == "no_clues_in_year"
        assert "没有推送到本县（区）的线索" in refused.value.message_zh
    february = figures(county_world, period="2026-02")
    assert (february.clue_total.received, february.clue_total.decided) == (3, 3)


def test_table_two(march: CountyReturn) -> None:
    h1 = {r.institution_id: r for r in march.actions}["H1"]
    assert (h1.confirmed, h1.internal, h1.interview, h1.admin_penalty) == (1, 1, 1, 1)
    assert (h1.institution_points, h1.staff_scored, h1.staff_points) == (2, 1, 3)
    assert (h1.referred, h1.rectified) == (1, 1)
    assert march.action_total.interview == 1  # H2's interview is the other county's


def test_action_types_follow_the_ladders_words() -> None:
    assert action_type("doctor", "none", "院内通报批评") == "internal"
    assert action_type("institution", "none", "任意3项指标年平均值不达标：约谈机构负责人") == "interview"
    assert (
        action_type("institution", "aggravated", "责令限期改正；有第十二条从重情节：约谈机构负责人")
        == "interview"
    )
    assert action_type("institution", "none", "卫生健康主管部门责令医疗机构限期改正") == "correction"
    assert action_type("institution", "none", "卫生健康主管部门通报医疗机构，作为决策时参考") == "bulletin"
    assert (
        action_type("institution", "none", "卫生健康主管部门提醒医疗机构采取措施进行干预、改正") == "reminder"
    )
    assert action_type("institution", "exempted", "约谈机构负责人") == "other"
    assert action_type("institution", "none", "医疗机构当年不得评先评优") == "other"


def test_refused_before_the_month_is_over(county_world: Harness) -> None:
    with pytest.raises(InvalidInputError) as refused:
        figures(county_world, today=date(2026, 3, 31))
    assert refused.value.code == "period_not_closed"
    assert "尚未结束" in refused.value.message_zh
    assert figures(county_world, today=date(2026, 4, 1)).clue_total.received == 4


def test_scope(county_world: Harness, march: CountyReturn) -> None:
    assert figures(county_world, user="city") == march  # the city office: any of its counties
    with pytest.raises(NotFoundError):
        figures(county_world, user="county2")  # another county's office
    with pytest.raises(PermissionDeniedError):
        figures(county_world, user="hospital1")
    with pytest.raises(PermissionDeniedError):
        figures(county_world, user="expert")
    with county_world.database.sessions() as session, pytest.raises(InvalidInputError) as refused:
        county_return_figures(session, county_world.user(session, "city"), "511500", "2026-03", today=TODAY)
    assert refused.value.code == "not_a_county"


def _clue_cells(row: ClueRow) -> list[str]:
    return [row.name, *(shown(getattr(row, c.attr)) for c in CLUE_COLUMNS)]


def test_word_tables_hold_the_figures(files: dict[str, Path], march: CountyReturn) -> None:
    doc = Document(str(files[DOCX]))
    table1, table2, signatures = doc.tables
    assert table_texts(table1)[1:] == [_clue_cells(r) for r in [*march.clues, march.clue_total]]
    expected2 = [
        [r.name, *(shown(getattr(r, c.attr)) for c in ACTION_COLUMNS)]
        for r in [*march.actions, march.action_total]
    ]
    assert table_texts(table2)[1:] == expected2
    assert table_texts(table1)[0][1] == CLUE_COLUMNS[0].header
    text = "\n".join(p.text for p in doc.paragraphs)
    assert text.startswith("附件1")
    assert "填报单位（盖章）" in text
    assert "H2" not in text
    assert [cell.split("：")[0] for cell in table_texts(signatures)[0][: len(SIGNATURES)]] == list(SIGNATURES)
    assert doc.sections[0].page_width > doc.sections[0].page_height  # landscape


def test_workbook_holds_the_figures(files: dict[str, Path], march: CountyReturn) -> None:
    book = load_workbook(files[XLSX])
    assert book.sheetnames == ["表1", "表2"]
    sheet1 = book["表1"]
    rows = [list(r) for r in sheet1.iter_rows(min_row=5, max_row=4 + len(march.clues) + 1, values_only=True)]
    for got, want in zip(rows, [*march.clues, march.clue_total], strict=True):
        assert got[0] == want.name
        assert [Decimal(str(v)) if isinstance(v, float) else v for v in got[1:]] == [
            getattr(want, c.attr) for c in CLUE_COLUMNS
        ]
    assert (
        sheet1.cell(5, 1 + [c.attr for c in CLUE_COLUMNS].index("amount_involved") + 1).number_format
        == "#,##0.00"
    )
    sheet2 = book["表2"]
    total = [c.value for c in sheet2[4 + len(march.actions) + 1]]
    assert total == [march.action_total.name, *(getattr(march.action_total, c.attr) for c in ACTION_COLUMNS)]
    bottom = [c.value for row in sheet2.iter_rows(min_row=4 + len(march.actions) + 2) for c in row if c.value]
    assert any(str(v).startswith("填报单位（盖章）") for v in bottom)
    assert [v for v in bottom if str(v).endswith("：")] == [f"{s}：" for s in SIGNATURES]


def test_every_column_is_in_both_documents() -> None:
    """Every figure of a row type is a column (no figure is computed and left out)."""
    assert [c.attr for c in CLUE_COLUMNS] == [f.name for f in fields(ClueRow)][2:]


def test_libreoffice_opens_both(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("county-pdf")
    for fmt in (DOCX, XLSX):
        assert pdf_pages(to_pdf(files[fmt], out)) >= 1, fmt


def test_the_document_names_the_county_and_months(march: CountyReturn) -> None:
    document = county_return_document(march, DOCX, generated_on=TODAY)
    text = "\n".join(p.text for p in Document(io.BytesIO(document.content)).paragraphs)
    assert "2026-01 至 2026-03（历月累计" in text
    assert document.filename.endswith("_2026-03.docx")
