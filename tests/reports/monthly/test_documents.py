"""工作月报 and 工作通报 read back: every table against the figures, charts, scope, 文号; LibreOffice.

The documents are generated once per module from the walked month (world.py) on SQLite,
as the city office with the analytic store, and as the county office.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from sanjianguan.context import Context
from sanjianguan.reports.data.monthly import MonthlyFigures
from sanjianguan.reports.document_file import DocumentFile
from sanjianguan.reports.monthly import bulletin, monthly_report
from sanjianguan.reports.monthly.tables import Rate, ReportTable, all_tables, bulletin_tables, cell_text
from sanjianguan.reports.monthly.workbook import HEADER_ROW, sheet_name
from sanjianguan.reports.official.document import table_texts
from sanjianguan.workflow_db.connection import Database
from tests.cases.harness import make_harness
from tests.reports.monthly.conftest import figures_for
from tests.reports.monthly.world import walk
from tests.reports.office import pdf_pages, to_pdf
from tests.workflow_db.fixtures import Clock


@dataclass
class Built:
    city: MonthlyFigures
    county: MonthlyFigures
    docs: dict[str, DocumentFile]
    folder: Path


@pytest.fixture(scope="module")
def built(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("monthly")
    shutil.copy(sqlite_template, root / "workflow.sqlite")
    database = Database.from_url(f"sqlite:///{root / 'workflow.sqlite'}")
    h = make_harness(database, Clock(), root / "evidence")
    walk(h)
    ctx = Context.open(root / "home")
    with database.sessions() as session:
        city = figures_for(session, h.user(session, "city"), ctx, store=True)
        county = figures_for(session, h.user(session, "county"), ctx, store=True)
    database.dispose()
    docs = {
        "monthly.docx": monthly_report(city),
        "monthly.xlsx": monthly_report(city, format="xlsx"),
        "bulletin.docx": bulletin(city),
        "bulletin.xlsx": bulletin(city, format="xlsx"),
        "county.docx": monthly_report(county),
        "county-bulletin.docx": bulletin(county),
    }
    for name, doc in docs.items():
        (root / name).write_bytes(doc.content)
    return Built(city, county, docs, root)


def _docx(doc: DocumentFile) -> object:
    return Document(io.BytesIO(doc.content))


def _all_text(doc: DocumentFile) -> str:
    read = Document(io.BytesIO(doc.content))
    cells = [cell.text for table in read.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in read.paragraphs] + cells)


def _expected(table: ReportTable) -> list[list[str]]:
    rows = [[cell_text(v) for v in row] for row in table.rows] or [["无"] + [""] * (len(table.headers) - 1)]
    return [list(table.headers), *rows]


def _by_caption(doc: DocumentFile) -> dict[str, list[list[str]]]:
    """Each Word table under the caption paragraph just before it."""
    read = Document(io.BytesIO(doc.content))
    found, caption, tables = {}, "", iter(read.tables)
    for element in read.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in element.iter() if t.tag.endswith("}t"))
            caption = text if text.startswith("表") else caption
        elif tag == "tbl":
            found[caption] = table_texts(next(tables))
    return found


def test_every_table_of_the_monthly_report_is_the_figures(built: Built) -> None:
    f, doc = built.city, built.docs["monthly.docx"]
    expected = all_tables(f)
    read = _by_caption(doc)
    assert list(read) == [t.caption for t in expected]
    for table in expected:
        assert read[table.caption] == _expected(table), table.caption
    # the figures themselves, not only as tables.py renders them
    caption = {t.key: t.caption for t in expected}
    total = ["合计", str(f.counts.total), f"{f.counts.amount_total:,.2f}"]
    assert read[caption["by_category"]][-1] == total == ["合计", "9", "4,615.30"]
    progress = {row[0]: row[1] for row in read[caption["progress"]]}
    assert progress["按期自查率"] == "44.4%"
    assert progress["应自查线索"] == str(f.counts.self_check.due)
    ranking = read[caption["ranking"]]
    assert ranking[1] == ["1", "H1 医院", "6", "2,480.75", "2", "2,300.75", "3"]
    assert ranking[2] == ["2", "H2 医院", "3", "2,134.55", "0", "0.00", "2"]
    reporting = {row[0]: row[1] for row in read[caption["reporting"]][1:]}
    assert (reporting["按时上报"], reporting["未报"], reporting["合计"]) == ("1", "1", "2")


def test_the_monthly_report_has_its_charts_title_and_number(built: Built) -> None:
    read = Document(io.BytesIO(built.docs["monthly.docx"].content))
    assert len(read.inline_shapes) == 3  # by category, by rule (top 10), the 12 months' trend
    texts = [p.text for p in read.paragraphs]
    assert texts[0] == "宜宾市医疗“三监管”办公室"
    assert texts[1] == "宜三监办〔2026〕\u3000号"  # the number left for the office to fill in
    assert "宜宾市医疗“三监管”2026年2月工作月报" in texts
    assert [t for t in texts if t.startswith(("一、", "二、", "三、", "四、", "五、", "六、"))] == [
        "一、数据采集",
        "二、数据分析",
        "三、工作进展",
        "四、查处结果",
        "五、机构排名",
        "六、近12个月趋势",
    ]
    assert "未报机构：H2 医院共1家。" in texts
    assert "2026年4月8日" in texts  # 成文日期: today
    assert built.docs["monthly.docx"].filename == "宜宾市医疗“三监管”2026年2月工作月报.docx"
    numbered = monthly_report(built.city, number="宜三监办〔2026〕7号")
    assert Document(io.BytesIO(numbered.content)).paragraphs[1].text == "宜三监办〔2026〕7号"


def test_the_bulletin_names_institutions_and_requirements(built: Built) -> None:
    f, doc = built.city, built.docs["bulletin.docx"]
    read = _by_caption(doc)
    expected = bulletin_tables(f)
    assert list(read) == [t.caption for t in expected]
    for table in expected:
        assert read[table.caption] == _expected(table), table.caption
    texts = [p.text for p in Document(io.BytesIO(doc.content)).paragraphs]
    assert "宜宾市医疗“三监管”2026年2月工作通报" in texts
    assert "各县（区）卫生健康局，辖区各医疗机构：" in texts
    late = next(t for t in texts if t.startswith("以下机构存在未按期自查的线索"))
    assert "H1 医院（3条）、H2 医院（2条）" in late
    assert any(t.startswith("H2 医院共1家存在迟报、未报或未接入情况") for t in texts)
    assert any("本月尚有1条查实问题处于责任追究阶段" in t for t in texts)
    assert "（五）" not in "".join(texts)  # four requirements: three found, one standing
    assert "（四）持续做好线索闭环管理" in texts


def test_a_county_document_holds_no_other_county(built: Built) -> None:
    for name in ("county.docx", "county-bulletin.docx"):
        text = _all_text(built.docs[name])
        assert "H1 医院" in text
        assert "H2 医院" not in text, name
        assert "H3 医院" not in text, name
        assert "翠屏区医疗“三监管”办公室" in text
    assert "辖区各医疗机构：" in _all_text(built.docs["county-bulletin.docx"])
    assert built.county.counts.total == 6


def _sheet_values(table: ReportTable) -> list[list[object]]:
    def value(v: object) -> object:
        if isinstance(v, Rate):
            return v.value
        return float(v) if isinstance(v, Decimal) else v

    return [[value(v) for v in row] for row in table.rows]


WORKBOOKS = [("monthly.xlsx", all_tables), ("bulletin.xlsx", bulletin_tables)]


@pytest.mark.parametrize(("name", "tables"), WORKBOOKS)
def test_the_workbook_holds_the_same_tables(built: Built, name: str, tables: object) -> None:
    book = load_workbook(io.BytesIO(built.docs[name].content))
    expected = tables(built.city)  # type: ignore[operator]
    assert book.sheetnames == ["说明", *[sheet_name(t) for t in expected]]
    for table in expected:
        sheet = book[sheet_name(table)]
        assert sheet["A2"].value == table.caption
        assert [c.value for c in sheet[HEADER_ROW]] == list(table.headers)
        rows = [list(r) for r in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]
        assert rows == _sheet_values(table), table.caption
    assert book["说明"]["B5"].value == "2026-02"


def test_the_workbook_keeps_numbers_as_numbers(built: Built) -> None:
    book = load_workbook(io.BytesIO(built.docs["monthly.xlsx"].content))
    sheet = book["疑似问题线索（按类别）"]
    total = [row for row in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if row[0] == "合计"]
    assert total == [("合计", 9, 4615.3)]
    assert sheet.cell(row=HEADER_ROW + 1, column=3).number_format == "#,##0.00"


@pytest.mark.parametrize("name", ["monthly.docx", "monthly.xlsx", "bulletin.docx", "bulletin.xlsx"])
def test_libreoffice_opens_each_document(built: Built, name: str) -> None:
    pdf = to_pdf(built.folder / name, built.folder / "pdf")
    assert pdf_pages(pdf) >= (3 if name == "monthly.docx" else 1)
