"""The written workbook, read back with openpyxl: layout, header line, values, blanks and footer."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from openpyxl import load_workbook

from sanjianguan.contract.schema import ITEM_TYPES
from sanjianguan.indicators.scope import month, year
from sanjianguan.reports.selfcheck import compute_profiles, write_workbook
from sanjianguan.reports.selfcheck.form import EXAMS, TO_FILL, Blank, form_rows
from sanjianguan.reports.selfcheck.workbook import NO_DENOMINATOR, SUMMARY_SHEET, period_text

GENERATED = datetime(2025, 4, 5, 9, 30)


@pytest.fixture
def book(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> Any:
    out = tmp_path / "out" / "自查表.xlsx"
    profiles = compute_profiles(store, month("2025-03"))
    write_workbook(profiles, out, source="测试库 / test store", generated_at=GENERATED)
    assert [p.name for p in out.parent.iterdir()] == ["自查表.xlsx"]  # no temporary file left behind
    return load_workbook(out)


def _by_key(sheet: Any) -> dict[str, tuple[Any, ...]]:
    """figure id (hidden column F) → (item, label, value, unit, reading)."""
    rows = sheet.iter_rows(min_row=1, values_only=True)
    return {r[5]: r[:5] for r in rows if len(r) > 5 and r[5] and r[5] != "figure_id"}


def _row_of(sheet: Any, label: str) -> tuple[Any, ...]:
    return next(r for r in sheet.iter_rows(values_only=True) if r[1] == label)


def test_sheets_title_and_header_line(book: Any) -> None:
    assert book.sheetnames == [SUMMARY_SHEET, "H1", "H2"]
    h1 = book["H1"]
    # H1 is 二级甲等, H2 一级: both get the seed's title, and so does the summary.
    assert h1["A1"].value == "定点医疗机构自查内容表(二级及以下定点医疗机构)"
    assert book["H2"]["A1"].value == "定点医疗机构自查内容表(二级及以下定点医疗机构)"
    assert str(book[SUMMARY_SHEET]["A1"].value).startswith(
        "定点医疗机构自查内容表(二级及以下定点医疗机构) — 汇总"
    )
    assert (h1["A2"].value, h1["B2"].value, h1["C2"].value, h1["D2"].value) == (
        "医疗机构名称",
        "医院H1",
        "机构编码",
        "H1",
    )
    assert (h1["A3"].value, h1["B3"].value, h1["C3"].value, h1["D3"].value) == (
        "医疗机构等级",
        "二级甲等",
        "医疗机构经营性质",
        "公立",
    )
    assert h1["B4"].value == "2025年03月（结算月 2025-03）"
    assert [c.value for c in h1[6]][:5] == ["编号", "自查内容", "填报值", "单位", "口径说明 / reading"]


def test_values_in_the_blanks(book: Any) -> None:
    cells = _by_key(book["H1"])
    # (item, label, value, unit) of figures worked out in test_profile.py.
    assert cells["opd_visits"][:4] == ("45", "本期内门(急)诊共计", 4, "人次")
    assert cells["opd_insured_share"][1:4] == ("占门(急)诊总人次的", 50, "%")
    assert cells["ipd_stays"][0] == "46"
    assert cells["inpatients_per_100_visits"][0::2][:2] == ("47", 125)
    assert cells["bed_occupancy"][2:4] == (1.68, "%")
    assert cells["cost_per_stay_all"][:4] == ("50.1", "所有住院患者的次均费用", 1420, "元")
    assert cells["cost_per_stay_employee"][1:3] == ("城镇职工参保患者的住院次均费用", 750)
    assert cells["los_avg_resident"][1:4] == ("城乡居民参保患者的次均住院天数", 10, "天")
    assert cells["share_drug_all"][:3] == ("51.1 所有住院患者", "药品费用占比", 44.74)
    assert cells["share_treatment_employee"][2] == 33.33
    assert cells["dr_price"][:4] == ("43.4 DR", "DR平均价格", 72.5, "元")
    assert cells["cr_use_rate"][2] == 0
    assert cells["ct_positive_rate"][2] == 33.33
    assert cells["mri_use_rate"][2] == 8.33
    assert cells["chronic_cost_per_visit"][:3] == ("52.2", "次均总费用", 400)
    # CR has no reports: the blank stays empty and says why (never 0).
    assert cells["cr_positive_rate"][2] is None
    assert str(cells["cr_positive_rate"][4]).startswith(NO_DENOMINATOR)
    assert book["H1"].column_dimensions["F"].hidden


def test_items_the_institution_fills_by_hand(book: Any) -> None:
    h1 = book["H1"]
    for label in ("医疗机构建筑面积", "业务用房面积", "最大开放床位"):
        row = _row_of(h1, label)
        assert row[2] is None, label
        assert str(row[4]).startswith(TO_FILL), label
    assert _row_of(h1, "业务用房面积")[3] == "平方米"
    for label in ("填报人（签字）", "医疗机构负责人（签字）", "医疗机构（盖章）", "填报日期"):
        row = _row_of(h1, label)
        assert (row[2], row[4]) == (None, TO_FILL), label


def test_footer_period_source_and_time(book: Any) -> None:
    texts = [r[0] for r in book["H1"].iter_rows(values_only=True) if r[0]]
    assert "统计期间 / period：2025年03月（结算月 2025-03）" in texts
    assert "数据来源 / data source：测试库 / test store" in texts
    assert "生成时间 / generated at：2025-04-05 09:30:00" in texts


def test_summary_has_one_row_per_institution(book: Any) -> None:
    summary = book[SUMMARY_SHEET]
    keys = [c.value for c in summary[3]]
    heads = [c.value for c in summary[2]]
    assert heads[:4] == ["机构编码", "医疗机构名称", "医疗机构等级", "医疗机构经营性质"]
    assert heads[keys.index("share_drug_employee")] == "51.2 城镇职工参保住院患者 药品费用占比（%）"
    h1 = {k: c.value for k, c in zip(keys, summary[4], strict=True)}
    h2 = {k: c.value for k, c in zip(keys, summary[5], strict=True)}
    assert (summary["A4"].value, summary["C4"].value, summary["A5"].value) == ("H1", "二级甲等", "H2")
    assert (h1["ipd_stays"], h1["bed_occupancy"], h1["share_exam_resident"]) == (5, 1.68, 40)
    assert (h2["opd_visits"], h2["cost_per_stay_all"]) == (1, None)
    assert summary.row_dimensions[3].hidden


def test_readable_layout(book: Any) -> None:
    h1 = book["H1"]
    assert (h1["A1"].font.name, h1["A1"].font.bold) == ("黑体", True)
    label = h1["B8"]
    assert (label.font.name, label.alignment.wrap_text) == ("宋体", True)
    assert (h1.column_dimensions["B"].width, h1.column_dimensions["E"].width) == (46, 60)
    assert h1.freeze_panes == "A7"


def _write(store: duckdb.DuckDBPyConnection, tmp_path: Path, scope: Any) -> Any:
    out = tmp_path / "book.xlsx"
    write_workbook(compute_profiles(store, scope), out, source="测试库", generated_at=GENERATED)
    return load_workbook(out)


def test_title_follows_the_institutions_level(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    store.execute("UPDATE institutions SET level = 3, grade = '甲' WHERE institution_id = 'H1'")
    book = _write(store, tmp_path, month("2025-03"))
    assert book["H1"]["B3"].value == "三级甲等"
    # A 三级甲等 hospital is not called 二级及以下; a mixed summary gets the neutral title.
    assert book["H1"]["A1"].value == "定点医疗机构自查内容表(三级定点医疗机构)"
    assert book["H2"]["A1"].value == "定点医疗机构自查内容表(二级及以下定点医疗机构)"
    assert str(book[SUMMARY_SHEET]["A1"].value).startswith("定点医疗机构自查内容表 — 汇总")
    store.execute("UPDATE institutions SET level = NULL WHERE institution_id = 'H2'")
    assert _write(store, tmp_path, month("2025-03"))["H2"]["A1"].value == "定点医疗机构自查内容表"


def test_a_partial_year_says_which_months_it_covers(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    book = _write(store, tmp_path, year("2025"))
    # H1 has data in March and April 2025 only, H2 in March only.
    assert book["H1"]["B4"].value == "2025年度（结算月 2025-03 至 2025-04（数据覆盖 2 个月））"
    assert book["H2"]["B4"].value == "2025年度（结算月 2025-03（数据覆盖 1 个月））"
    texts = [r[0] for r in book["H1"].iter_rows(values_only=True) if r[0]]
    assert "统计期间 / period：2025年度（结算月 2025-03 至 2025-04（数据覆盖 2 个月））" in texts
    assert _by_key(book["H1"])["calendar_days"][2] == 61
    assert "数据覆盖 2 个月" in str(book[SUMMARY_SHEET]["A1"].value)


def test_period_text_of_full_partial_and_gapped_years() -> None:
    full = [f"2025-{m:02d}" for m in range(1, 13)]
    assert period_text("2025", full) == "2025年度（结算月 2025-01 至 2025-12）"
    assert period_text("2025", full[:3]) == "2025年度（结算月 2025-01 至 2025-03（数据覆盖 3 个月））"
    assert period_text("2025", ["2025-01", "2025-03"]) == (
        "2025年度（结算月 2025-01 至 2025-03（数据覆盖 2 个月：2025-01、2025-03））"
    )
    assert period_text("2025-03", ["2025-03"]) == "2025年03月（结算月 2025-03）"


def test_readings_are_plain_chinese_without_internal_tokens() -> None:
    readings = [row.reading for row in form_rows() if isinstance(row, Blank)]
    tokens = [*ITEM_TYPES, *(tag for tag, _, _ in EXAMS), "chronic_outpatient", "beds_", "知识库标签"]
    leaked = [(token, text) for text in readings for token in tokens if token in text]
    assert leaked == []
    drug = next(r for r in form_rows() if isinstance(r, Blank) and r.key == "share_drug_all")
    assert drug.reading.startswith("(西药费 + 中成药费 + 中药饮片费) ÷")
    dr = next(r for r in form_rows() if isinstance(r, Blank) and r.key == "dr_price")
    assert "知识库中标记为DR检查的收费项目" in dr.reading
