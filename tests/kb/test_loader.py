"""Loading reference files into knowledge-base versions (`load_kb`)."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from sanjianguan.errors import KnowledgeBaseError
from sanjianguan.kb.loader import MAX_LISTED_ERRORS, load_kb
from sanjianguan.kb.versions import content_checksum, current_version, list_versions, version_counts

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kb"
BASE = FIXTURES / "base"
ITEMS_HEADER = "item_code,name,kind,sex_limit,age_max,per_day_billing,price_cap_l3\n"


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "kbdir"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _item(con: duckdb.DuckDBPyConnection, code: str, column: str) -> object:
    row = con.execute(f"SELECT {column} FROM ref_items WHERE item_code = ?", [code]).fetchone()
    assert row is not None, code
    return row[0]


def test_first_load_creates_version_1_with_typed_normalised_values(con: duckdb.DuckDBPyConnection) -> None:
    report = load_kb(con, BASE, note="基础")
    assert (report.version, report.created) == (1, True)
    assert version_counts(con) == {
        "ref_items": 4,
        "ref_item_relations": 2,
        "ref_drg": 2,
        "ref_minor_diagnoses": 0,
        "ref_tcm_advantage_diseases": 0,
        "ref_icd10": 0,
    }
    drug = "XJ01DCA123A001010100001"
    assert _item(con, drug, "indication_icd") == "J45|J46"
    assert _item(con, drug, "routes") == "口服|静脉滴注"
    assert _item(con, drug, "key_monitored") is False
    assert _item(con, drug, "max_days") == 14
    assert _item(con, "001102000040000", "name") == "门急诊留观诊查费"  # trimmed
    assert _item(con, "001102000040000", "per_day_billing") is True  # 是
    assert _item(con, "001102000040000", "price_cap_l3") == Decimal("10.5")
    assert _item(con, "001102000040000", "price_cap_l1") == Decimal("8")
    assert _item(con, "001102000040000", "sex_limit") is None  # empty = no limit
    [version] = list_versions(con)
    assert (version.source, version.note) == (str(BASE), "基础")
    assert version.checksum == content_checksum(con, 1)


def test_identical_reload_creates_no_version(con: duckdb.DuckDBPyConnection) -> None:
    load_kb(con, BASE)
    again = load_kb(con, BASE, note="again")
    assert (again.version, again.created) == (1, False)
    assert "未创建新版本" in again.message()
    assert [v.kb_version for v in list_versions(con)] == [1]
    assert con.execute("SELECT count(*) FROM kb_ref_items").fetchone() == (4,)


def test_absent_tables_are_carried_over(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    load_kb(con, BASE)
    folder = _folder(
        tmp_path, {"ref_drg.csv": "drg_code,weight,avg_los,avg_cost,risk_group\nZZ11,1,2,3,low\n"}
    )
    report = load_kb(con, folder)
    assert report.version == 2
    modes = {c.table: c.mode for c in report.result.tables}
    assert modes["ref_drg"] == "replaced"
    assert modes["ref_items"] == "carried"
    assert con.execute("SELECT drg_code FROM ref_drg").fetchall() == [("ZZ11",)]
    assert version_counts(con)["ref_items"] == 4
    assert version_counts(con, 1)["ref_drg"] == 2  # the old version stays readable


def test_merge_upserts_rows_by_key(con: duckdb.DuckDBPyConnection) -> None:
    load_kb(con, BASE)
    report = load_kb(con, FIXTURES / "override", merge=True)
    assert report.version == 2
    assert version_counts(con)["ref_items"] == 5
    assert _item(con, "001102000040000", "price_cap_l3") == Decimal("12")
    # The whole row is replaced: a region overriding an entry states it completely.
    assert _item(con, "001102000040000", "price_cap_l2") is None
    assert _item(con, "009999999990000", "name") == "区域新增项目"
    assert _item(con, "002101030300000", "sex_limit") == "2"


def test_replace_without_merge_keeps_only_given_rows(con: duckdb.DuckDBPyConnection) -> None:
    load_kb(con, BASE)
    load_kb(con, FIXTURES / "override")
    assert version_counts(con)["ref_items"] == 2
    assert version_counts(con)["ref_drg"] == 2


def test_views_show_only_the_current_version(con: duckdb.DuckDBPyConnection) -> None:
    load_kb(con, BASE)
    load_kb(con, FIXTURES / "override")
    assert con.execute("SELECT count(*) FROM kb_ref_items").fetchone() == (6,)
    assert con.execute("SELECT count(*) FROM ref_items").fetchone() == (2,)
    assert current_version(con) == 2


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        ("A1,名称,drug,3,,,", "sex_limit", "不在允许值中"),
        ("A1,名称,medicine,,,,", "kind", "not one of"),
        ("A1,名称,drug,,abc,,", "age_max", "not an integer"),
        ("A1,名称,drug,,1.5,,", "age_max", "not an integer"),
        ("A1,名称,drug,,,maybe,", "per_day_billing", "not a boolean"),
        ("A1,名称,drug,,,,12元", "price_cap_l3", "not a number"),
        ("A1,,drug,,,,", "name", "required value is empty"),
    ],
)
def test_bad_cell_rejects_load_naming_file_row_field(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, row: str, field: str, reason: str
) -> None:
    folder = _folder(tmp_path, {"ref_items.csv": ITEMS_HEADER + "OK1,好,service,,,,\n" + row + "\n"})
    with pytest.raises(KnowledgeBaseError) as err:
        load_kb(con, folder)
    message = str(err.value)
    assert f"ref_items.csv 第3行/row 3 字段/field {field}" in message
    assert reason in message
    assert current_version(con) is None


def test_duplicate_key_names_both_rows(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = _folder(
        tmp_path, {"ref_items.csv": ITEMS_HEADER + "A1,甲,drug,,,,\nB1,乙,drug,,,,\nA1,丙,drug,,,,\n"}
    )
    with pytest.raises(KnowledgeBaseError, match=r"row 4 字段/field item_code: .*row 2"):
        load_kb(con, folder)


def test_every_bad_cell_is_listed_up_to_the_cap(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    bad = "".join(f"C{i},名,drug,9,,,\n" for i in range(MAX_LISTED_ERRORS + 7))
    folder = _folder(tmp_path, {"ref_items.csv": ITEMS_HEADER + bad})
    with pytest.raises(KnowledgeBaseError) as err:
        load_kb(con, folder)
    message = str(err.value)
    assert f"{MAX_LISTED_ERRORS + 7} 处错误" in message
    assert "and 7 more" in message
    assert message.count("field sex_limit") == MAX_LISTED_ERRORS


def test_errors_of_several_files_come_in_one_message(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "ref_items.csv": ITEMS_HEADER + "A1,甲,drug,5,,,\n",
            "ref_drg.csv": "drg_code,weight,avg_los,avg_cost,risk_group\nX1,1,2,3,extreme\n",
        },
    )
    with pytest.raises(KnowledgeBaseError) as err:
        load_kb(con, folder)
    assert "ref_items.csv 第2行" in str(err.value)
    assert "ref_drg.csv 第2行/row 2 字段/field risk_group" in str(err.value)


def test_missing_required_column_names_file_and_column(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    folder = _folder(tmp_path, {"ref_items.csv": "item_code,name\nA1,甲\n"})
    with pytest.raises(KnowledgeBaseError, match=r"missing required column: kind.*ref_items\.csv"):
        load_kb(con, folder)


def test_unknown_column_is_kept_aside_with_a_warning(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Official catalogues carry extra columns (max_los): loaded without them, kept aside, warned."""
    drg = (BASE / "ref_drg.csv").read_text(encoding="utf-8").splitlines()
    lines = [drg[0] + ",max_los"] + [
        line + ("," + str(30 + i) if i % 2 == 0 else ",") for i, line in enumerate(drg[1:])
    ]
    folder = _folder(tmp_path, {"ref_drg.csv": "\n".join(lines) + "\n"})
    report = load_kb(con, folder)
    assert report.created
    assert report.warnings == (
        "未知列已另存、未装载 / unknown column kept aside, not loaded: max_los (文件/file ref_drg.csv)",
    )
    assert version_counts(con)["ref_drg"] == len(drg) - 1
    assert "max_los" not in [r[0] for r in con.execute("DESCRIBE ref_drg").fetchall()]
    kept = con.execute(
        "SELECT kb_version, table_name, file, row_number, column_name, value FROM kb_extra_columns "
        "ORDER BY row_number"
    ).fetchall()
    assert kept == [
        (report.version, "ref_drg", "ref_drg.csv", i + 2, "max_los", str(30 + i))
        for i in range(len(drg) - 1)
        if i % 2 == 0
    ]


def test_unknown_ref_file_and_empty_folder(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"ref_prices.csv": "a\n1\n", "ref_items.csv": ITEMS_HEADER})
    with pytest.raises(KnowledgeBaseError, match=r"ref_prices\.csv"):
        load_kb(con, folder)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(KnowledgeBaseError, match="no reference files"):
        load_kb(con, empty)


def test_gb18030_csv(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = tmp_path / "gb"
    folder.mkdir()
    text = "icd10_prefix,name\nJ00,急性鼻咽炎\nJ06,急性上呼吸道感染\n"
    (folder / "ref_minor_diagnoses.csv").write_bytes(text.encode("gb18030"))
    load_kb(con, folder)
    assert con.execute("SELECT name FROM ref_minor_diagnoses ORDER BY 1").fetchall() == [
        ("急性上呼吸道感染",),
        ("急性鼻咽炎",),
    ]


def test_xlsx_reference_file_and_its_row_numbers(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = tmp_path / "x"
    folder.mkdir()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["item_code", "name", "kind", "age_max", "max_per_day"])
    sheet.append(["001201000070000", "新生儿护理", "service", 0, 1.5])
    sheet.append(["001201000080000", "新生儿特殊护理", "service", 0.5, None])
    workbook.save(folder / "ref_items.xlsx")
    with pytest.raises(KnowledgeBaseError, match=r"ref_items.xlsx 第3行/row 3 字段/field age_max"):
        load_kb(con, folder)
    sheet["D3"] = 0
    workbook.save(folder / "ref_items.xlsx")
    load_kb(con, folder)
    assert _item(con, "001201000070000", "max_per_day") == Decimal("1.5")
    assert _item(con, "001201000080000", "age_max") == 0


def test_two_formats_of_one_table_are_rejected(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = tmp_path / "two"
    shutil.copytree(BASE, folder)
    (folder / "ref_drg.xlsx").write_bytes(b"")
    with pytest.raises(KnowledgeBaseError, match="ref_drg"):
        load_kb(con, folder)


def test_tcm_advantage_diseases_and_the_optional_icd10_catalogue(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """Both tables load like the others; a TCM-advantage disease without its name is a bad cell."""
    tcm = "icd10_prefix,name\nI63,中风(脑梗死)\nM17, 膝痹(膝骨关节炎) \n"
    folder = _folder(tmp_path, {"ref_tcm_advantage_diseases.csv": tcm + "R42,\n"})
    bad_name = r"ref_tcm_advantage_diseases.csv 第4行/row 4 字段/field name"
    with pytest.raises(KnowledgeBaseError, match=bad_name):
        load_kb(con, folder)
    folder = _folder(
        tmp_path,
        {"ref_tcm_advantage_diseases.csv": tcm, "ref_icd10.csv": "icd10_code,name\nI63.900,脑梗死\n"},
    )
    report = load_kb(con, folder)
    assert set(report.files) == {"ref_tcm_advantage_diseases", "ref_icd10"}
    counts = version_counts(con)
    assert (counts["ref_tcm_advantage_diseases"], counts["ref_icd10"], counts["ref_items"]) == (2, 1, 0)
    rows = con.execute("SELECT icd10_prefix, name FROM ref_tcm_advantage_diseases ORDER BY 1").fetchall()
    assert rows == [("I63", "中风(脑梗死)"), ("M17", "膝痹(膝骨关节炎)")]
    # ref_icd10 stays optional: a later load without it carries it over, nothing is required.
    (tmp_path / "second").mkdir()
    only_items = _folder(tmp_path / "second", {"ref_items.csv": ITEMS_HEADER + "A1,甲,drug,,,,\n"})
    load_kb(con, only_items)
    assert version_counts(con)["ref_icd10"] == 1
