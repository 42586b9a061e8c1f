"""The official layout: fonts, margins, numbered headings, real tables, charts; opens in LibreOffice."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from sanjianguan.reports.official.chart import bar_chart, chinese_font, line_chart
from sanjianguan.reports.official.document import (
    FONTS,
    OfficialDocument,
    chinese_date,
    chinese_numeral,
    table_texts,
)
from tests.reports.office import pdf_pages, to_pdf


def test_heading_numbers_and_dates_read_as_in_official_documents() -> None:
    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 20, 21, 99)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "二十一",
        "九十九",
    ]
    with pytest.raises(ValueError, match="out of range"):
        chinese_numeral(0)
    assert chinese_date(date(2026, 3, 5)) == "2026年3月5日"


def _sample() -> bytes:
    doc = OfficialDocument()
    doc.issuer_mark("遂宁市医疗三监管办公室")
    doc.number("遂三监办〔2026〕3号")
    doc.title("2026年3月医疗三监管工作月报")
    doc.heading("数据采集")
    doc.subheading(1, "上报情况")
    doc.paragraph("本月应上报机构12家，按时上报10家。")
    doc.table(
        ["机构", "线索数", "涉及金额（元）"],
        [["甲医院", 3, "1,200.00"], ["乙医院", 1, "80.00"]],
        numeric=[False, True, True],
    )
    doc.heading("数据分析")
    doc.picture(bar_chart("线索数（按类别）", ["不合理收费", "不合理用药"], [3, 1], unit="条"))
    doc.signature("遂宁市医疗三监管办公室", date(2026, 4, 3))
    return doc.to_bytes()


def test_the_document_has_the_standard_layout_and_real_tables() -> None:
    read = Document(io.BytesIO(_sample()))
    section = read.sections[0]
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) if m is not None else None for m in margins] == [37, 35, 28, 26]  # in twips
    texts = [p.text for p in read.paragraphs]
    assert "遂三监办〔2026〕3号" in texts
    assert {"一、数据采集", "二、数据分析", "（一）上报情况"} <= set(texts)
    assert texts[-1] == "2026年4月3日"
    assert table_texts(read.tables[0]) == [
        ["机构", "线索数", "涉及金额（元）"],
        ["甲医院", "3", "1,200.00"],
        ["乙医院", "1", "80.00"],
    ]
    body = next(p for p in read.paragraphs if p.text.startswith("本月"))
    assert _east_asia_font(body) == FONTS.body
    heading = next(p for p in read.paragraphs if p.text == "一、数据采集")
    assert _east_asia_font(heading) == FONTS.heading
    assert len(read.inline_shapes) == 1  # the chart


def _east_asia_font(paragraph: Paragraph) -> str | None:
    fonts = paragraph.runs[0]._element.get_or_add_rPr().find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def test_charts_are_pngs_drawn_with_a_chinese_font() -> None:
    assert chinese_font()  # found one (else ChartFontMissing)
    png = line_chart(
        "线索数趋势", ["1月", "2月", "3月"], [("线索", [1, 4, 2]), ("属实", [0, 1, 1])], unit="条"
    )
    assert png.startswith(b"\x89PNG")


def test_the_document_opens_in_libreoffice(tmp_path: Path) -> None:
    path = tmp_path / "月报.docx"
    path.write_bytes(_sample())
    assert pdf_pages(to_pdf(path, tmp_path / "pdf")) >= 1
