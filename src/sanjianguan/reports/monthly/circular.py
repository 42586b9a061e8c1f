"""工作通报 (.docx): the circular to the jurisdiction's institutions (and, from a city, its counties).

What it tells them: 一、基本情况 (the month's clues, amounts, self-check, sampling) 二、查处结果
三、机构排名 (by clues and by confirmed amount) 四、发现的主要问题 (the rules found most) 五、
工作要求 (written from the figures: the institutions with self-checks not on time, with data
late, missing or not connected, the problems waiting for rectification).
"""

from __future__ import annotations

from sanjianguan.access.regions import RegionCode
from sanjianguan.reports.data.monthly import MonthlyFigures
from sanjianguan.reports.monthly import tables as t
from sanjianguan.reports.monthly import texts
from sanjianguan.reports.monthly.word import put_table
from sanjianguan.reports.official.document import OfficialDocument
from sanjianguan.workflow_db.models import RegionLevel


def title(f: MonthlyFigures) -> str:
    return f"{f.region_name}医疗“三监管”{f.month_zh}工作通报"


def addressee(f: MonthlyFigures) -> str:
    if RegionCode.parse(f.region_code).level is RegionLevel.COUNTY:
        return "辖区各医疗机构"
    return "各县（区）卫生健康局，辖区各医疗机构"


def build(f: MonthlyFigures, number: str | None) -> bytes:
    tables = {table.key: table for table in t.bulletin_tables(f)}
    doc = OfficialDocument()
    doc.issuer_mark(f.issuer)
    doc.number(texts.number_line(f, number))
    doc.title(title(f))
    doc.addressee(addressee(f))
    doc.paragraph(f"现将{f.month_zh}（结算月）医疗“三监管”工作情况通报如下。")
    doc.heading("基本情况")
    doc.paragraph(texts.analysis(f))
    doc.paragraph(texts.progress(f))
    doc.heading("查处结果")
    for line in texts.results(f):
        doc.paragraph(line)
    put_table(doc, tables["results"])
    doc.heading("机构排名")
    doc.paragraph(texts.ranking(f))
    put_table(doc, tables["ranking"])
    put_table(doc, tables["ranking_by_amount"])
    doc.heading("发现的主要问题")
    doc.paragraph("本月线索较多的规则如下，各机构要对照自查、举一反三。")
    put_table(doc, tables["by_rule"])
    doc.heading("工作要求")
    for i, (topic, line) in enumerate(texts.requirements(f), start=1):
        doc.subheading(i, topic)
        doc.paragraph(line)
    if f.late_self_checks:
        put_table(doc, tables["late_self_checks"])
    doc.signature(f.issuer, f.today)
    return doc.to_bytes()
