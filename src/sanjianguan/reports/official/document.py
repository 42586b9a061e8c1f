"""The official-document layout (GB/T 9704-2012 党政机关公文格式) in python-docx.

What the standard fixes and this module follows: A4 paper; margins 37 mm top, 35 mm
bottom, 28 mm left, 26 mm right; the title in 2号 (22 pt) 小标宋, centred; the 文号
centred under the issuing authority; the body in 3号 (16 pt) 仿宋 with a 2-character
first-line indent and a fixed 28.95 pt line pitch (22 lines of 28 characters); level-1
headings "一、" in 黑体, level-2 "（一）" in 楷体; page numbers "— 1 —" in 4号; the
issuer and the date (Arabic numerals) at the right, over the seal.

Fonts are named, not embedded (a .docx cannot carry them freely): the names are those
every Chinese government PC has (`FONTS`). Where a font is missing, Word and
LibreOffice substitute their own (on Debian: Noto Serif/Sans CJK SC from
`fonts-noto-cjk`); docs/reports.md lists the fallbacks. Western text and digits are in
Times New Roman.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

LATIN = "Times New Roman"
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
TABLE_PT = 10.5  # 5号: tables are allowed a smaller size
LINE_PITCH_PT = 28.95  # 22 lines in the 225 mm type area


@dataclass(frozen=True)
class Fonts:
    """The typefaces of a document, by role (the names Word looks up)."""

    title: str = "方正小标宋简体"
    body: str = "仿宋_GB2312"
    heading: str = "黑体"
    subheading: str = "楷体_GB2312"


FONTS = Fonts()
CHINESE_NUMERALS = "一二三四五六七八九十"


def chinese_numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (heading numbers up to 99)."""
    if not 1 <= n <= 99:
        raise ValueError(f"heading number out of range: {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CHINESE_NUMERALS[tens - 1] + "十")
    return head + ("" if ones == 0 else CHINESE_NUMERALS[ones - 1])


def chinese_date(day: date) -> str:
    """成文日期 in Arabic numerals, as GB/T 9704-2012 has it: 2026年3月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def set_font(run: Run, east_asia: str, size_pt: float, *, bold: bool = False) -> None:
    """The run's Chinese (eastAsia) and Western fonts and its size."""
    run.font.name = LATIN
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    properties = run._element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)


class OfficialDocument:
    """A document in the official layout; add its parts in reading order, then `to_bytes()`."""

    def __init__(self, *, landscape: bool = False, fonts: Fonts = FONTS) -> None:
        self.fonts = fonts
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        if landscape:  # wide tables (the county return): the same margins, turned
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        normal = self.doc.styles["Normal"]
        normal.font.name = LATIN
        normal.font.size = Pt(BODY_PT)
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), fonts.body)
        self._page_numbers(section.footer.paragraphs[0])
        self._headings = 0

    # -- parts, in reading order -------------------------------------------------
    def issuer_mark(self, issuer: str) -> None:
        """发文机关标志: the issuing authority's name over the 文号 (red in print; black here)."""
        self._line(issuer, self.fonts.title, TITLE_PT + 4, align=WD_ALIGN_PARAGRAPH.CENTER)

    def number(self, text: str) -> None:
        """发文字号 (文号), centred, e.g. 遂三监办〔2026〕3号."""
        self._line(text, self.fonts.body, BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)

    def title(self, text: str) -> None:
        """标题: 2号小标宋, centred, with a blank line after it."""
        self._line(text, self.fonts.title, TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
        self._line("", self.fonts.body, BODY_PT)

    def addressee(self, text: str) -> None:
        """主送机关: flush left, ending with a full-width colon."""
        self._line(text.rstrip("：:") + "：", self.fonts.body, BODY_PT)

    def heading(self, text: str) -> str:
        """A level-1 heading in 黑体, numbered 一、二、…; returns the numbered text."""
        self._headings += 1
        numbered = f"{chinese_numeral(self._headings)}、{text}"
        self._line(numbered, self.fonts.heading, BODY_PT, indent=True)
        return numbered

    def subheading(self, n: int, text: str) -> str:
        """A level-2 heading in 楷体, numbered （一）（二）…; returns the numbered text."""
        numbered = f"（{chinese_numeral(n)}）{text}"
        self._line(numbered, self.fonts.subheading, BODY_PT, indent=True)
        return numbered

    def paragraph(self, text: str) -> Paragraph:
        """A body paragraph: 仿宋 三号, first line indented by two characters."""
        return self._line(text, self.fonts.body, BODY_PT, indent=True)

    def caption(self, text: str) -> Paragraph:
        """A table's or chart's title, centred in 黑体 at the table size."""
        return self._line(text, self.fonts.heading, TABLE_PT + 1.5, align=WD_ALIGN_PARAGRAPH.CENTER)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
        *,
        numeric: Sequence[bool] | None = None,
        widths_cm: Sequence[float] | None = None,
    ) -> Table:
        """A real Word table (grid, header row repeated on each page); numbers right-aligned."""
        table: Table = self.doc.add_table(rows=1 + len(rows), cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        right = list(numeric) if numeric is not None else [False] * len(headers)
        for i, header in enumerate(headers):
            self._cell(table.cell(0, i).paragraphs[0], header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _repeat_as_header(table.rows[0])
        for r, row in enumerate(rows, start=1):
            for i, value in enumerate(row):
                align = WD_ALIGN_PARAGRAPH.RIGHT if right[i] else WD_ALIGN_PARAGRAPH.LEFT
                self._cell(table.cell(r, i).paragraphs[0], _text(value), align=align)
        if widths_cm is not None:
            for i, width in enumerate(widths_cm):
                for cell in table.columns[i].cells:
                    cell.width = Cm(width)
        self._line("", self.fonts.body, TABLE_PT)
        return table

    def picture(self, png: bytes, *, width_cm: float = 15.0) -> None:
        """A chart (PNG), centred in the type area (15.6 cm wide)."""
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))

    def signature(self, issuer: str, day: date, *, seal: bool = True) -> None:
        """署名 and 成文日期 at the right, with room for the seal (加盖印章) over them."""
        self._line("", self.fonts.body, BODY_PT)
        if seal:
            self._line("（盖章）", self.fonts.body, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
        self._line(issuer, self.fonts.body, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
        self._line(chinese_date(day), self.fonts.body, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)

    def signature_block(self, labels: Sequence[str]) -> Table:
        """Signature lines (e.g. 填报人、审核人、负责人) and a seal box, as a borderless table."""
        table: Table = self.doc.add_table(rows=1, cols=len(labels) + 1)
        for i, label in enumerate(labels):
            self._cell(table.cell(0, i).paragraphs[0], f"{label}：__________")
        self._cell(table.cell(0, len(labels)).paragraphs[0], "（单位盖章）", align=WD_ALIGN_PARAGRAPH.RIGHT)
        return table

    def page_break(self) -> None:
        self.doc.add_page_break()  # type: ignore[no-untyped-call]

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()

    # -- helpers -----------------------------------------------------------------
    def _line(
        self,
        text: str,
        font: str,
        size_pt: float,
        *,
        align: WD_ALIGN_PARAGRAPH | None = None,
        indent: bool = False,
        right_chars: int = 0,
    ) -> Paragraph:
        paragraph = self.doc.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(max(LINE_PITCH_PT, size_pt * 1.3))
        fmt.space_before = fmt.space_after = Pt(0)
        if indent:
            fmt.first_line_indent = Pt(size_pt * 2)
        if right_chars:
            fmt.right_indent = Pt(size_pt * right_chars)
        if align is not None:
            paragraph.alignment = align
        if text:
            set_font(paragraph.add_run(text), font, size_pt)
        return paragraph

    def _cell(
        self, paragraph: Paragraph, text: str, *, bold: bool = False, align: WD_ALIGN_PARAGRAPH | None = None
    ) -> None:
        if align is not None:
            paragraph.alignment = align
        set_font(paragraph.add_run(text), self.fonts.body, TABLE_PT, bold=bold)

    def _page_numbers(self, paragraph: Paragraph) -> None:
        """— 1 — in 4号 宋体 digits, centred (a PAGE field, so Word numbers every page)."""
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(paragraph.add_run("— "), self.fonts.body, PAGE_NUMBER_PT)
        run = paragraph.add_run()
        set_font(run, self.fonts.body, PAGE_NUMBER_PT)
        for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
            if kind is not None:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._element.append(char)
            elif text == "PAGE":
                instruction = OxmlElement("w:instrText")
                instruction.set(qn("xml:space"), "preserve")
                instruction.text = " PAGE "
                run._element.append(instruction)
            else:
                shown = OxmlElement("w:t")
                shown.text = text
                run._element.append(shown)
        set_font(paragraph.add_run(" —"), self.fonts.body, PAGE_NUMBER_PT)


def _repeat_as_header(row: object) -> None:
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def table_texts(table: Table) -> list[list[str]]:
    """A Word table's cells as text, row by row (tests and `sjg report` read documents back)."""
    return [[cell.text for cell in row.cells] for row in table.rows]
