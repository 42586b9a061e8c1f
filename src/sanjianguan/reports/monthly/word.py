"""工作月报 (.docx): the month's work report to the superior, every section with its tables and charts.

Layout: `OfficialDocument` (GB/T 9704). Sections: 一、数据采集 二、数据分析 (clues by
category: bar chart and table; by rule, top 10: horizontal bar and table) 三、工作进展
四、查处结果 五、机构排名 六、近12个月趋势 (line chart and table). Each chart is preceded by
its caption and followed by its Word table, so the numbers can be read and copied.
"""

from __future__ import annotations

from sanjianguan.reports.data.monthly import MonthlyFigures
from sanjianguan.reports.monthly import tables as t
from sanjianguan.reports.monthly import texts
from sanjianguan.reports.official.chart import bar_chart, line_chart
from sanjianguan.reports.official.document import OfficialDocument


def title(f: MonthlyFigures) -> str:
    return f"{f.region_name}医疗“三监管”{f.month_zh}工作月报"


def addressee(f: MonthlyFigures) -> str:
    return f"{f.region_name}医疗“三监管”工作领导小组"


def put_table(doc: OfficialDocument, table: t.ReportTable) -> None:
    doc.caption(table.caption).paragraph_format.keep_with_next = True  # never alone at a page's foot
    rows = [[t.cell_text(v) for v in row] for row in table.rows] or [["无"] + [""] * (len(table.headers) - 1)]
    doc.table(table.headers, rows, numeric=table.numeric, widths_cm=table.widths_cm)


def build(f: MonthlyFigures, number: str | None) -> bytes:
    tables = {table.key: table for table in t.all_tables(f)}
    doc = OfficialDocument()
    doc.issuer_mark(f.issuer)
    doc.number(texts.number_line(f, number))
    doc.title(title(f))
    doc.addressee(addressee(f))
    doc.paragraph(f"现将{f.month_zh}（结算月）本辖区医疗“三监管”工作情况报告如下。")
    doc.heading("数据采集")
    for line in texts.collection(f):
        doc.paragraph(line)
    for key in ("reporting", "quality"):
        if key in tables:
            put_table(doc, tables[key])
    doc.heading("数据分析")
    doc.paragraph(texts.analysis(f))
    labels = [row.label_zh for row in f.counts.by_category]
    doc.picture(bar_chart("线索数（按类别）", labels, [row.count for row in f.counts.by_category], unit="条"))
    put_table(doc, tables["by_category"])
    if f.counts.by_rule:
        rules = [row.label_zh for row in f.counts.by_rule]
        counts = [row.count for row in f.counts.by_rule]
        doc.picture(
            bar_chart("线索最多的规则（前10）", rules, counts, unit="条", horizontal=True, height_cm=9)
        )
    put_table(doc, tables["by_rule"])
    doc.heading("工作进展")
    doc.paragraph(texts.progress(f))
    put_table(doc, tables["progress"])
    doc.heading("查处结果")
    for line in texts.results(f):
        doc.paragraph(line)
    for key in ("results", "actions", "points"):
        if key in tables:
            put_table(doc, tables[key])
    doc.heading("机构排名")
    doc.paragraph(texts.ranking(f))
    put_table(doc, tables["ranking"])
    put_table(doc, tables["ranking_by_amount"])
    doc.heading("近12个月趋势")
    doc.paragraph(texts.trend(f))
    months = [p.period[2:] for p in f.counts.trend]
    doc.picture(
        line_chart("近12个月线索数", months, [("线索数", [p.count for p in f.counts.trend])], unit="条")
    )
    put_table(doc, tables["trend"])
    doc.signature(f.issuer, f.today)
    return doc.to_bytes()
