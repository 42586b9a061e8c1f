"""日历文件: the CSV an office loads for one year (`sjg calendar load FILE`).

Columns (header required, any order, Chinese aliases accepted):

- `date` / `日期`: YYYY-MM-DD; every date of the file in one year, each at most once;
- `kind` / `类型`: `holiday` (法定节假日, 休, 放假) or `workday` (调休上班, 班, 上班);
- `name` / `名称`: the holiday's name, e.g. 春节 (a make-up day names the holiday it serves).

A make-up working day must fall on a Saturday or Sunday (a weekday is a working day
anyway). Any error names the file, the line and the field; nothing is loaded then.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sanjianguan.calendar.days import DayKind, Entry
from sanjianguan.errors import InvalidInputError

COLUMNS = {"date": ("date", "日期"), "kind": ("kind", "类型"), "name": ("name", "名称")}
KINDS = {
    "holiday": DayKind.HOLIDAY,
    "法定节假日": DayKind.HOLIDAY,
    "放假": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY,
    "调休上班": DayKind.WORKDAY,
    "上班": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
}


class CalendarFileError(InvalidInputError):
    """A calendar file that cannot be loaded (日历文件有误): names file, line and field."""

    code = "invalid_calendar_file"


@dataclass(frozen=True)
class YearFile:
    """One year's entries read from a file, with the file's name and SHA-256."""

    year: int
    entries: tuple[Entry, ...]
    source: str
    sha256: str


def _error(source: str, line: int | None, field: str | None, zh: str, en: str) -> CalendarFileError:
    where_zh = source + (f" 第 {line} 行" if line else "") + (f" 字段 {field}" if field else "")
    where_en = source + (f" line {line}" if line else "") + (f" field {field}" if field else "")
    return CalendarFileError(f"{where_zh}：{zh}", f"{where_en}: {en}")


def read_year_file(path: Path) -> YearFile:
    """Read and check a calendar file; raises `CalendarFileError` on the first problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _error(
            str(path), None, None, f"无法读取文件（{exc.strerror}）", f"cannot read ({exc})"
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _error(path.name, None, None, "文件须为 UTF-8 编码", "the file must be UTF-8") from exc
    entries, year = parse_rows(path.name, text)
    return YearFile(year, tuple(entries), path.name, hashlib.sha256(raw).hexdigest())


def _columns(source: str, header: list[str] | None) -> dict[str, str]:
    found: dict[str, str] = {}
    names = [h.strip().lower() for h in header or []]
    for field, aliases in COLUMNS.items():
        match = next((h for h in header or [] if h.strip().lower() in aliases), None)
        if match is None:
            raise _error(
                source,
                1,
                field,
                f"缺少列（可用：{'、'.join(aliases)}；现有：{names}）",
                f"missing column {field}",
            )
        found[field] = match
    return found


def parse_rows(source: str, text: str) -> tuple[list[Entry], int]:
    """The entries of a calendar file's text and its one year."""
    reader = csv.DictReader(io.StringIO(text))
    cols = _columns(source, list(reader.fieldnames or []))
    entries: list[Entry] = []
    seen: dict[date, int] = {}
    for row in reader:
        line = reader.line_num
        entry = _entry(source, line, {f: (row.get(c) or "").strip() for f, c in cols.items()})
        if entry.day in seen:
            raise _error(
                source,
                line,
                "date",
                f"日期重复（已见于第 {seen[entry.day]} 行）",
                f"{entry.day} already on line {seen[entry.day]}",
            )
        if entries and entry.day.year != entries[0].day.year:
            raise _error(
                source,
                line,
                "date",
                f"一个文件只能含一个年度（首行为 {entries[0].day.year} 年）",
                f"one year per file (the first row is {entries[0].day.year})",
            )
        seen[entry.day] = line
        entries.append(entry)
    if not any(e.kind is DayKind.HOLIDAY for e in entries):
        raise _error(source, None, None, "文件中没有法定节假日", "the file lists no holiday")
    return entries, entries[0].day.year


def _entry(source: str, line: int, values: dict[str, str]) -> Entry:
    try:
        day = date.fromisoformat(values["date"])
    except ValueError:
        raise _error(
            source,
            line,
            "date",
            f"日期应为 YYYY-MM-DD：{values['date']!r}",
            f"not a date: {values['date']!r}",
        ) from None
    kind = KINDS.get(values["kind"].lower())
    if kind is None:
        raise _error(
            source,
            line,
            "kind",
            f"类型应为 holiday/法定节假日 或 workday/调休上班：{values['kind']!r}",
            f"kind must be holiday or workday: {values['kind']!r}",
        )
    if not values["name"]:
        raise _error(source, line, "name", "名称不能为空", "the name is empty")
    if kind is DayKind.WORKDAY and day.weekday() < 5:
        raise _error(
            source,
            line,
            "kind",
            f"{day} 是工作日（周一至周五），不能再标为调休上班",
            f"{day} is a weekday: a make-up working day must be a Saturday or Sunday",
        )
    return Entry(day, kind, values["name"])
