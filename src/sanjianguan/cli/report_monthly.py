"""`sjg report monthly|bulletin`: the 工作月报 and the 工作通报 of a region's month, as .docx or .xlsx.

Both read `reports.data.monthly.monthly_figures` for the region's office (or `--as USER`),
with the data folder's analytic store for 数据采集, write the document (format by the
suffix of `--out`) and print the headline figures they used. `--number` sets the 文号;
without it the region's scheme is written with the number blank, for the office to fill.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from sanjianguan.cli.app import state
from sanjianguan.cli.report import (
    AsOption,
    OutOption,
    PeriodOption,
    RegionOption,
    TodayOption,
    reading,
    report_app,
    write_document,
)

NumberOption = Annotated[
    str | None, typer.Option("--number", help="文号，默认留空待填 / document number (default: left blank)")
]


def _today(value: datetime | None) -> date:
    from sanjianguan.calendar.workdays import china_date
    from sanjianguan.workflow_db.base import utcnow

    return value.date() if value is not None else china_date(utcnow())


def _generate(
    kind: str,
    region: str,
    period: str,
    out: Path,
    username: str | None,
    today: datetime | None,
    number: str | None,
) -> None:
    from sanjianguan.clues.rulebook import RuleBook
    from sanjianguan.reports import monthly
    from sanjianguan.reports.data.collection import collection_reader
    from sanjianguan.reports.data.monthly import monthly_figures
    from sanjianguan.reports.document_file import format_for

    fmt = format_for(out, monthly.OFFERED)
    day = _today(today)
    ctx = state.context()
    with reading(region, username) as (session, user):
        figures = monthly_figures(
            session,
            user,
            period,
            today=day,
            rules=RuleBook.for_home(ctx.home),
            store=collection_reader(ctx.home, ctx.settings, day),
        )
    build = monthly.monthly_report if kind == "monthly" else monthly.bulletin
    write_document(out, build(figures, format=fmt, number=number), figures.summary())


@report_app.command("monthly")
def monthly_command(
    region: RegionOption,
    period: PeriodOption,
    out: OutOption,
    as_user: AsOption = None,
    today: TodayOption = None,
    number: NumberOption = None,
) -> None:
    """工作月报 / the month's work report (.docx with charts, or .xlsx)."""
    _generate("monthly", region, period, out, as_user, today, number)


@report_app.command("bulletin")
def bulletin_command(
    region: RegionOption,
    period: PeriodOption,
    out: OutOption,
    as_user: AsOption = None,
    today: TodayOption = None,
    number: NumberOption = None,
) -> None:
    """工作通报 / the month's circular to the jurisdiction's institutions (.docx or .xlsx)."""
    _generate("bulletin", region, period, out, as_user, today, number)
