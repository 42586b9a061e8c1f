"""Importing the national rule library (两库) into the knowledge base."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from sanjianguan.context import Context
from sanjianguan.kb.loader import load_kb
from sanjianguan.kb.nhsa import NhsaImportReport, import_nhsa, write_issues_csv
from sanjianguan.kb.nhsa.course import parse_course_text
from sanjianguan.kb.nhsa.driver import read_file, resolve_patches
from sanjianguan.kb.nhsa.frequency import window_for_days
from sanjianguan.kb.nhsa.level import min_level
from sanjianguan.kb.nhsa.model import ItemPatch, SourceRow, Unrepresentable
from sanjianguan.kb.versions import current_version
from tests.services import shared_dir, unavailable

# The published library, in the shared data beside the checkout (../shared), or where
# $SJG_TEST_NHSA_LIBRARY points (the nhsa-rule-library folder).
LIBRARY = (
    Path(os.environ.get("SJG_TEST_NHSA_LIBRARY") or shared_dir() / "data" / "nhsa-rule-library") / "两库整理"
)
BASE = Path(__file__).parent.parent / "fixtures" / "kb" / "base"

# Data rows per file (all sheets), as published: rule rows + code-sheet rows.
ROWS_READ = {
    "【第一批】药品规则库(限定性别对象).xlsx": 481 + 6472,
    "【第一批】项目规则库(限定性别对象).xlsx": 390,
    "【第一批】药品规则库(限定年龄对象).xlsx": 282 + 4398,
    "【第一批】项目规则库(限定年龄对象).xlsx": 30,
    "【第二批】项目规则库（限定主次操作）.xlsx": 378,
    "【第三批】药品规则库（限定保险类型）.xlsx": 12 + 112,
    "【第四批】药品规则库（限定就医方式）.xlsx": 35 + 736,
    "【第五批】药品规则库（限定机构等级）.xlsx": 61 + 962,
    "【第六批】药品规则库（限定支付疗程）.xlsx": 30 + 1147,
    "【第七批 】项目规则库（重复收费）.xlsx": 900,
    "【第八批-1】项目规则库（限定频次）.xlsx": 69,
    "【第八批-2】项目规则库（限定年龄）.xlsx": 1,
    "【第八批-3】项目规则库（限定疗程）.xlsx": 11,
    "【第八批-4】项目规则库（限定周期）.xlsx": 14,
}


def require_library() -> None:
    """Skip without the library (fail under CI=true, where ../shared is always beside the checkout)."""
    if not LIBRARY.is_dir():
        hint = f"{LIBRARY} (set SJG_TEST_NHSA_LIBRARY or SJG_TEST_SHARED)"
        unavailable("国家两库 / national rule library", hint)


@pytest.fixture
def library() -> Path:
    require_library()
    return LIBRARY


def needs_library(test: Callable[..., None]) -> Callable[..., None]:
    """Reads the real library (about ten seconds for two imports): slow, and skipped without it."""
    marked: Callable[..., None] = pytest.mark.slow(pytest.mark.usefixtures("library")(test))
    return marked


@pytest.fixture(scope="module")
def imported(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[duckdb.DuckDBPyConnection, NhsaImportReport]]:
    """A store with the fixture KB (version 1) and the library imported onto it (version 2)."""
    require_library()
    ctx = Context(home=tmp_path_factory.mktemp("nhsa") / "home")
    with ctx.store() as con:
        load_kb(con, BASE)
        yield con, import_nhsa(con, LIBRARY)


def _item(con: duckdb.DuckDBPyConnection, code: str) -> dict[str, object]:
    cursor = con.execute("SELECT * FROM ref_items WHERE item_code = ?", [code])
    row = cursor.fetchone()
    assert row is not None, code
    return dict(zip([d[0] for d in cursor.description], row, strict=True))


def _issues_at(report: NhsaImportReport, file_part: str, row: int) -> list[str]:
    return [i.reason for i in report.issues if file_part in i.source.file and i.source.row == row]


@needs_library
def test_every_row_is_imported_or_reported(
    imported: tuple[duckdb.DuckDBPyConnection, NhsaImportReport],
) -> None:
    _, report = imported
    counts = report.file_counts()
    assert {f: c[0] for f, c in counts.items()} == ROWS_READ
    for read, done, reported in counts.values():
        assert done + reported == read
    assert len(report.issues) == sum(c[2] for c in counts.values())
    assert counts["【第二批】项目规则库（限定主次操作）.xlsx"][2] == 378
    assert counts["【第三批】药品规则库（限定保险类型）.xlsx"][2] == 124


@needs_library
def test_sex_limits(imported: tuple[duckdb.DuckDBPyConnection, NhsaImportReport]) -> None:
    con, _ = imported
    assert _item(con, "002101030280000")["sex_limit"] == "1"  # 阴茎海绵体造影
    item = _item(con, "XL02BBA326A001010102180")  # 阿帕他胺片, first code of sheet 2
    assert (item["name"], item["kind"], item["item_type"], item["sex_limit"]) == (
        "阿帕他胺片",
        "drug",
        "drug_western",
        "1",
    )
    assert _item(con, "ZD03AAA0043010100166")["sex_limit"] == "2"  # 艾附暖宫丸
    assert _item(con, "ZD03AAA0043010100166")["item_type"] == "drug_chinese_patent"


@needs_library
def test_known_item_keeps_its_columns(imported: tuple[duckdb.DuckDBPyConnection, NhsaImportReport]) -> None:
    con, _ = imported
    item = _item(con, "002101030300000")  # 子宫造影: in the fixture KB and in the sex sheet
    assert (item["sex_limit"], item["price_cap_l3"], item["tags"]) == ("2", Decimal("300"), "ct")
    observation = _item(con, "001102000040000")  # 门急诊留观诊查费: fixture name, library frequency
    assert (observation["name"], observation["item_type"]) == ("门急诊留观诊查费", "treatment")
    assert (observation["freq_limit"], observation["freq_window"]) == (Decimal("1"), "day")


@needs_library
def test_age_limits(imported: tuple[duckdb.DuckDBPyConnection, NhsaImportReport]) -> None:
    con, report = imported
    assert _item(con, "ZA04CAE0023010100166")["age_max"] == 17  # 儿童清肺口服液 (儿童)
    assert _item(con, "001201000070000")["age_max"] == 0  # 新生儿护理
    assert _item(con, "003106070030000")["age_max"] == 2  # 婴儿氧舱治疗 (婴幼儿)
    assert "法定就业年龄" in _issues_at(report, "第八批-2", 2)[0]


@needs_library
def test_frequency_limits(imported: tuple[duckdb.DuckDBPyConnection, NhsaImportReport]) -> None:
    con, report = imported
    eeg = _item(con, "003101000050000")  # 脑电图录象监测: 24 小时
    assert (eeg["freq_limit"], eeg["freq_window"]) == (Decimal("24"), "day")
    fructosamine = _item(con, "002503020020000")  # 血清果糖胺测定: 1 per 7 days
    assert (fructosamine["freq_limit"], fructosamine["freq_window"]) == (Decimal("1"), "week")
    assert _item(con, "002503020030000")["freq_window"] == "week"  # 1 per 15 days
    assert "合计" in _issues_at(report, "第八批-1", 69)[0]


@needs_library
def test_course_setting_and_level(imported: tuple[duckdb.DuckDBPyConnection, NhsaImportReport]) -> None:
    con, report = imported
    assert _item(con, "XB01AXA223B002010100156")["max_days"] == 14  # 奥扎格雷钠注射液 14天
    assert _item(con, "XL01FDP138B002010181735")["max_days"] == 365  # 帕妥珠单抗注射液
    assert _item(con, "003402000210000")["max_days"] == 30  # 减重支持系统训练
    training = _item(con, "003402000350000")  # 儿童听力障碍语言训练: batches 1, 8-3 and 8-4
    assert (training["age_max"], training["max_days"], training["freq_window"]) == (17, 365, "week")
    assert _item(con, "XB05BAU012B002010102180")["setting"] == "inpatient"
    assert "急诊" in _issues_at(report, "第四批", 5)[0]  # 安宫牛黄丸: 限急诊或住院
    assert _item(con, "ZC01AAA0042010105549")["min_level"] == 2  # 艾迪注射液
    assert _item(con, "XS01LAL328B002020278679")["min_level"] == 3  # 雷珠单抗注射液


@needs_library
def test_duplicate_charges_become_includes(
    imported: tuple[duckdb.DuckDBPyConnection, NhsaImportReport],
) -> None:
    con, report = imported
    pairs = set(con.execute("SELECT item_a, item_b, relation FROM ref_item_relations").fetchall())
    assert ("001103000010000", "001102000030000", "includes") in pairs  # 单日
    assert ("003302010140000", "003302010040000", "includes") in pairs  # 单次就诊
    assert ("001102000040000", "001102000050000", "excludes") in pairs  # fixture relation kept
    assert ("003314000020000", "003109040040000", "includes") not in pairs  # 6小时
    assert "6小时" in _issues_at(report, "重复收费", 788)[0]
    assert "同一小时" in _issues_at(report, "重复收费", 292)[0]


@needs_library
def test_second_import_creates_no_version(
    imported: tuple[duckdb.DuckDBPyConnection, NhsaImportReport],
) -> None:
    con, report = imported
    assert (report.result.version, report.result.created) == (2, True)
    again = import_nhsa(con, LIBRARY)
    assert (again.result.version, again.result.created) == (2, False)
    assert again.result.checksum == report.result.checksum
    assert again.issues == report.issues
    assert current_version(con) == 2


@needs_library
def test_report_csv_lists_every_issue(
    imported: tuple[duckdb.DuckDBPyConnection, NhsaImportReport], tmp_path: Path
) -> None:
    _, report = imported
    path = tmp_path / "out" / "report.csv"
    write_issues_csv(path, report.issues)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(report.issues)
    assert set(rows[0]) == {"file", "sheet", "row", "reason"}
    assert any(r["sheet"] == "Sheet2" and "未导入" in r["reason"] for r in rows)


def test_unrecognised_workbook_reports_every_row(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["项目名称", "项目代码"])
    sheet.append(["甲", "001102000040000"])
    sheet.append([None, None])
    sheet.append(["乙", "001102000050000"])
    path = tmp_path / "【第九批】项目规则库（限定未知）.xlsx"
    workbook.save(path)
    result = read_file(path)
    assert [(i.source.row, "not recognised" in i.reason) for i in result.issues] == [(2, True), (4, True)]
    assert (result.counts[0].read, result.counts[0].reported) == (2, 2)


def test_contradicting_patches_keep_the_first() -> None:
    def patch(value: str, row: int) -> ItemPatch:
        return ItemPatch("001", "甲", "service", None, (("max_days", value),), SourceRow("f.xlsx", "S", row))

    merged, conflicts = resolve_patches([patch("14", 2), patch("14", 3), patch("30", 4)])
    assert merged["001"].values == (("max_days", "14"),)
    assert [c.source.row for c in conflicts] == [4]


def test_parsers() -> None:
    assert parse_course_text("总时间不超过90天，评定间隔时间不短于14天。") == {
        "max_days": "90",
        "freq_limit": "1",
        "freq_window": "week",
    }
    assert parse_course_text("支付不超过一年，每周最多支付一次。")["max_days"] == "365"
    with pytest.raises(Unrepresentable, match="每月复查"):
        parse_course_text("支付不超过30天，每月复查。")
    assert [window_for_days(d) for d in (1, 6, 7, 30, 31, 364, 365)] == [
        "day",
        "day",
        "week",
        "week",
        "month",
        "month",
        "year",
    ]
    assert min_level("限二级及以上医疗机构") == {"min_level": "2"}
    with pytest.raises(Unrepresentable):
        min_level("三级综合医院或二级眼科专科医院")
