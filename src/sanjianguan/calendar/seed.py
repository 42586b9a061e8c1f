"""Regenerate the shipped calendar file from `chinese_calendar` (run once per library update).

    python -m sanjianguan.calendar.seed

The file, not the library, is what the platform reads at run time; a test checks that
the file equals the library for every year the library knows.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sanjianguan.calendar.days import SHIPPED, DayKind, Entry, format_entries

NAME_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def library_entries() -> list[Entry]:
    """Every holiday and make-up working day `chinese_calendar` knows, names in Chinese."""
    import chinese_calendar

    found: list[Entry] = []
    for kind, table in (
        (DayKind.HOLIDAY, chinese_calendar.holidays),
        (DayKind.WORKDAY, chinese_calendar.workdays),
    ):
        for day, name in table.items():
            found.append(Entry(day, kind, NAME_ZH.get(str(name), str(name))))
    return sorted(found, key=lambda e: e.day)


def library_years() -> range:
    """The years `chinese_calendar` covers (first to last year with an entry)."""
    days: list[date] = [e.day for e in library_entries()]
    return range(min(days).year, max(days).year + 1)


def main() -> None:
    target = Path(__file__).parent / "data" / SHIPPED
    target.write_text(format_entries(library_entries()), encoding="utf-8")
    print(f"{target}: {len(library_entries())} 天 / days, {library_years()}")


if __name__ == "__main__":
    main()
