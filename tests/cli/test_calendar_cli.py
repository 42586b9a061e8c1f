"""`sjg calendar load` and `sjg calendar show`: the office loads a year; a missing year is warned about."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from sanjianguan.bootstrap import open_database
from sanjianguan.calendar.analysis import analysis_calendar
from sanjianguan.calendar.days import format_entries
from sanjianguan.calendar.files import CalendarFileError, read_year_file
from sanjianguan.cli import _register
from sanjianguan.cli.app import app
from sanjianguan.context import Context
from sanjianguan.workflow_db.models import AuditEvent, CalendarDay

FILE = Path(__file__).parents[1] / "calendar" / "cal2027.csv"


def test_show_warns_in_december_then_load_makes_the_year_official(ctx: Context, tmp_path: Path) -> None:
    _register()
    runner = CliRunner()

    def sjg(*args: str) -> str:
        result = runner.invoke(app, ["--home", str(ctx.home), *args])
        assert result.exit_code == 0, result.output
        return result.output

    before = sjg("calendar", "show", "2027", "--today", "2026-12-05")
    assert "未载入" in before
    assert "2027-01-01\t法定节假日\t元旦" in before
    assert "警告：2027 年法定节假日日历尚未载入" in before
    assert "警告" not in sjg("calendar", "show", "2026", "--today", "2026-11-30")  # December not yet

    assert "警告：2027 年法定节假日日历尚未载入" in sjg("cases", "tick", "--today", "2026-12-05")
    assert "警告" not in sjg("cases", "tick", "--today", "2026-11-05")

    loaded = sjg("calendar", "load", str(FILE), "--today", "2026-12-05")
    assert "2027: 已载入 / loaded cal2027.csv" in loaded
    assert "警告" not in loaded
    shown = sjg("calendar", "show", "2027", "--today", "2026-12-05")
    assert "2027: 正式日历 / official (来源 / source cal2027.csv" in shown
    assert "2027-01-09\t调休上班\t元旦" in shown
    assert "警告" not in shown
    assert "警告" not in sjg("cases", "tick", "--today", "2026-12-06")

    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n", encoding="utf-8")
    result = runner.invoke(app, ["--home", str(ctx.home), "calendar", "load", str(bad)])
    assert isinstance(result.exception, CalendarFileError)
    assert "bad.csv 第 3 行 字段 date" in str(result.exception)

    database = open_database(ctx.home, ctx.settings)
    try:
        with database.transaction() as session:
            days = session.execute(select(CalendarDay.day).where(CalendarDay.year == 2027)).scalars().all()
            events = session.execute(select(AuditEvent.event, AuditEvent.actor_name)).all()
    finally:
        database.dispose()
    assert len(days) == 5  # the refused file changed nothing
    assert events == [("calendar.loaded", "system")]


def test_load_keeps_a_copy_in_the_data_folder_for_the_analysis(ctx: Context, tmp_path: Path) -> None:
    """The indicators read `<home>/calendar/<year>.csv`; a reload replaces it, a refused file does not."""
    _register()
    runner = CliRunner()
    copy = ctx.home / "calendar" / "2027.csv"

    def load(path: Path) -> str:
        result = runner.invoke(app, ["--home", str(ctx.home), "calendar", "load", str(path)])
        assert result.exit_code == 0, result.output
        return result.output

    assert f"分析用副本 / copy for the analysis: {copy}" in load(FILE)
    assert copy.read_text(encoding="utf-8") == format_entries(read_year_file(FILE).entries)
    assert read_year_file(copy).entries == read_year_file(FILE).entries
    assert analysis_calendar(ctx.home).official(2027)
    assert not analysis_calendar(ctx.home).is_working_day(date(2027, 1, 4))

    corrected = tmp_path / "更正.csv"
    corrected.write_text("date,kind,name\n2027-01-01,holiday,元旦\n", encoding="utf-8")
    load(corrected)
    assert copy.read_text(encoding="utf-8") == "date,kind,name\n2027-01-01,holiday,元旦\n"
    assert analysis_calendar(ctx.home).is_working_day(date(2027, 1, 4))

    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name\n2027-01-04,holiday,元旦\n2027-02-30,holiday,春节\n", encoding="utf-8")
    refused = runner.invoke(app, ["--home", str(ctx.home), "calendar", "load", str(bad)])
    assert isinstance(refused.exception, CalendarFileError)
    assert copy.read_text(encoding="utf-8") == "date,kind,name\n2027-01-01,holiday,元旦\n"
    assert [p.name for p in copy.parent.iterdir()] == ["2027.csv"]  # no temporary file left
