"""A calendar file is read whole or refused with the file, line and field named."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from sanjianguan.calendar.days import DayKind
from sanjianguan.calendar.files import CalendarFileError, read_year_file

HERE = Path(__file__).parent
HEAD = "date,kind,name\n"


def test_the_2027_fixture_reads_with_chinese_headers_and_kinds() -> None:
    data = read_year_file(HERE / "cal2027.csv")
    assert data.year == 2027
    assert data.source == "cal2027.csv"
    assert data.sha256 == hashlib.sha256((HERE / "cal2027.csv").read_bytes()).hexdigest()
    assert [(e.day, e.kind) for e in data.entries][-1] == (date(2027, 1, 9), DayKind.WORKDAY)


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("date,kind\n2027-01-01,holiday\n", "第 1 行 字段 name", "缺少列"),
        (f"{HEAD}2027-01-01,holiday,元旦\n2027-13-01,holiday,x\n", "第 3 行 字段 date", "YYYY-MM-DD"),
        (f"{HEAD}2027-01-01,off,元旦\n", "第 2 行 字段 kind", "holiday"),
        (f"{HEAD}2027-01-01,holiday,\n", "第 2 行 字段 name", "名称不能为空"),
        (f"{HEAD}2027-01-01,holiday,元旦\n2028-01-01,holiday,元旦\n", "第 3 行 字段 date", "一个年度"),
        (f"{HEAD}2027-01-02,holiday,元旦\n2027-01-02,workday,元旦\n", "第 3 行 字段 date", "第 2 行"),
        (f"{HEAD}2027-01-01,holiday,元旦\n2027-01-05,workday,元旦\n", "第 3 行 字段 kind", "周一至周五"),
        (f"{HEAD}2027-01-09,workday,元旦\n", "", "没有法定节假日"),
    ],
)
def test_errors_name_the_file_line_and_field(tmp_path: Path, text: str, where: str, what: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CalendarFileError) as raised:
        read_year_file(path)
    assert raised.value.message_zh.startswith(f"bad.csv {where}".strip()), raised.value.message_zh
    assert what in raised.value.message_zh
    assert raised.value.code == "invalid_calendar_file"
