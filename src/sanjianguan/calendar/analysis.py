"""分析用日历: the official calendar the indicators count working days with.

The analytic half never opens the workflow store, so a year an office loads with
`sjg calendar load FILE` is also kept as a file in the data folder,
`<home>/calendar/<year>.csv` (the entries as stored, in the format `read_year_file`
reads, written atomically and replaced on a reload). The analysis calendar is the
shipped years plus those files; a year file replaces the shipped entries of its year.
A year in neither is not in the calendar: an indicator that needs its working days is
not computed (never on a provisional count). This module imports only
`calendar.days` and `calendar.files`, so the indicators may use it.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from sanjianguan.calendar.days import WorkCalendar, format_entries, shipped_entries
from sanjianguan.calendar.files import CalendarFileError, YearFile, read_year_file

FOLDER = "calendar"  # under the data folder
_YEAR_FILE = re.compile(r"^(\d{4})\.csv$")


def year_file(home: Path, year: int) -> Path:
    """`<home>/calendar/<year>.csv`: the data folder's copy of a loaded year."""
    return home / FOLDER / f"{year}.csv"


def write_year(home: Path, data: YearFile) -> Path:
    """Keep a checked year in the data folder (atomic; replaces an earlier copy of the year)."""
    path = year_file(home, data.year)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("wb") as out:
            out.write(format_entries(data.entries).encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def loaded_years(home: Path | None) -> list[YearFile]:
    """The data folder's year files, by year; a broken file is a `CalendarFileError` naming it."""
    folder = None if home is None else home / FOLDER
    if folder is None or not folder.is_dir():
        return []
    found: list[YearFile] = []
    for path in sorted(folder.iterdir()):
        match = _YEAR_FILE.match(path.name)
        if match is None or not path.is_file():
            continue
        data = read_year_file(path)
        if data.year != int(match.group(1)):
            raise CalendarFileError(
                f"{path}：文件名为 {match.group(1)} 年，内容为 {data.year} 年",
                f"{path}: the file is named {match.group(1)} but lists {data.year}",
            )
        found.append(data)
    return found


def analysis_calendar(home: Path | None) -> WorkCalendar:
    """The shipped years plus the data folder's loaded years (a loaded year replaces the shipped one)."""
    loaded = loaded_years(home)
    replaced = {data.year for data in loaded}
    entries = [e for e in shipped_entries() if e.day.year not in replaced]
    entries += [e for data in loaded for e in data.entries]
    return WorkCalendar.of(entries, {e.day.year for e in shipped_entries()} | replaced)
