"""工作月报 and 工作通报 (seed 000 信息通报制度): a city's or county's month as .docx or .xlsx.

Both are written from `reports.data.monthly.MonthlyFigures` only. The 月报 (`monthly_report`)
reports every section to the superior, with charts; the 通报 (`bulletin`) tells the
jurisdiction's institutions the results, the ranking, the problems and what is required.
`number` is the 文号; None writes the region's scheme with the number left blank for the
office to fill in (宜三监办〔2026〕　号; docs/reports/monthly.md).
"""

from __future__ import annotations

from sanjianguan.reports.data.monthly import MonthlyFigures
from sanjianguan.reports.document_file import DOCX, XLSX, DocumentFile
from sanjianguan.reports.monthly import circular, tables, texts, word, workbook

OFFERED = (DOCX, XLSX)


def monthly_report(figures: MonthlyFigures, *, format: str = DOCX, number: str | None = None) -> DocumentFile:
    """工作月报 as .docx (charts and tables) or .xlsx (one sheet per table)."""
    title = word.title(figures)
    if format == XLSX:
        content = workbook.build(figures, title, tables.all_tables(figures))
    else:
        content = word.build(figures, number)
    return DocumentFile(content, f"{title}.{format}", format)


def bulletin(figures: MonthlyFigures, *, format: str = DOCX, number: str | None = None) -> DocumentFile:
    """工作通报 as .docx or .xlsx (its tables, and its 工作要求 on the first sheet)."""
    title = circular.title(figures)
    if format == XLSX:
        notes = [f"{topic}：{text}" for topic, text in texts.requirements(figures)]
        content = workbook.build(figures, title, tables.bulletin_tables(figures), ["工作要求", *notes])
    else:
        content = circular.build(figures, number)
    return DocumentFile(content, f"{title}.{format}", format)


__all__ = ["OFFERED", "bulletin", "monthly_report"]
